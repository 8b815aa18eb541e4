#include "strata/tensor_host.hpp"

#include "strata/error.hpp"

namespace strata {

namespace {

template <class T>
Tensor upload_copy(Backend& backend, const xt::xarray<T>& host) {
  std::vector<std::int64_t> dims(host.shape().begin(), host.shape().end());
  Tensor out(backend, Shape(dims), host_dtype<T>);
  if (host.layout() == xt::layout_type::row_major) {
    backend.upload(host.data(), out);
  } else {
    const xt::xarray<T, xt::layout_type::row_major> row_major = host;
    backend.upload(row_major.data(), out);
  }
  return out;
}

}  // namespace

Tensor from_host(Backend& backend, const xt::xarray<float>& host) { return upload_copy(backend, host); }

template <TypedHostElement T>
Tensor from_host(Backend& backend, const xt::xarray<T>& host) {
  return upload_copy(backend, host);
}

template Tensor from_host<bfloat16>(Backend&, const xt::xarray<bfloat16>&);
template Tensor from_host<std::int32_t>(Backend&, const xt::xarray<std::int32_t>&);

template <HostElement T>
xt::xarray<T> to_host_as(const Tensor& tensor) {
  Backend& backend = tensor.backend();  // first: a symbolic tensor's shape has None axes
  STRATA_CHECK(tensor.dtype() == host_dtype<T>, ValueError, "cannot read a tensor of dtype ",
               dtype_name(tensor.dtype()), " and shape ", tensor.shape().to_string(), " into a host array of ",
               dtype_name(host_dtype<T>), ": read it with to_host_as of its own type, or Backend::cast it to ",
               dtype_name(host_dtype<T>), " first");
  std::vector<std::size_t> shape(tensor.shape().dims().begin(), tensor.shape().dims().end());
  xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
  backend.download(tensor, out.data());
  return out;
}

template xt::xarray<float> to_host_as<float>(const Tensor&);
template xt::xarray<bfloat16> to_host_as<bfloat16>(const Tensor&);
template xt::xarray<std::int32_t> to_host_as<std::int32_t>(const Tensor&);

xt::xarray<float> to_host(const Tensor& tensor) { return to_host_as<float>(tensor); }

}  // namespace strata
