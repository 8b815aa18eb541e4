#include "strata/tensor_host.hpp"

#include <xtensor/xadapt.hpp>

namespace strata {

Tensor from_host(Backend& backend, const xt::xarray<float>& host) {
  std::vector<std::int64_t> dims(host.shape().begin(), host.shape().end());
  Tensor out(backend, Shape(dims));
  if (host.layout() == xt::layout_type::row_major) {
    backend.upload(host.data(), out);
  } else {
    const xt::xarray<float, xt::layout_type::row_major> row_major = host;
    backend.upload(row_major.data(), out);
  }
  return out;
}

xt::xarray<float> to_host(const Tensor& tensor) {
  Backend& backend = tensor.backend();  // first: a symbolic tensor's shape has None axes
  std::vector<std::size_t> shape(tensor.shape().dims().begin(), tensor.shape().dims().end());
  xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
  backend.download(tensor, out.data());
  return out;
}

}  // namespace strata
