#include "strata/tensor.hpp"

#include <atomic>
#include <limits>

#include "api/allocation_count.hpp"

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {
std::atomic<std::uint64_t> allocations{0};
}  // namespace

std::uint64_t detail::tensor_allocations() { return allocations.load(); }

Tensor::Tensor(Backend& backend, Shape shape, DType dtype)
    : shape_(std::move(shape)), dtype_(dtype), backend_(&backend) {
  const std::size_t size = bytes();
  try {
    storage_ = backend.allocate(size);
  } catch (const ResourceExhaustedError& e) {
    throw ResourceExhaustedError(detail::concat("cannot allocate a tensor of shape ", shape_.to_string(), " (",
                                                dtype_name(dtype_), "): ", e.what()));
  }
  allocations.fetch_add(1, std::memory_order_relaxed);
}

Tensor Tensor::symbolic(Shape shape, std::shared_ptr<const detail::GraphNode> node, int index, DType dtype) {
  Tensor out;
  out.shape_ = std::move(shape);
  out.dtype_ = dtype;
  out.symbolic_ = true;
  out.node_ = std::move(node);
  out.output_index_ = index;
  return out;
}

std::size_t Tensor::bytes() const {
  const auto elements = static_cast<std::size_t>(shape_.num_elements());
  STRATA_CHECK(elements <= std::numeric_limits<std::size_t>::max() / dtype_size(dtype_), ResourceExhaustedError,
               "a tensor of shape ", shape_.to_string(), " (", dtype_name(dtype_), ") has more bytes than ",
               "an address space holds");
  return elements * dtype_size(dtype_);
}

void Tensor::throw_no_memory(const char* what) const {
  if (symbolic_)
    throw StateError(detail::concat(
        "Tensor::", what, " on a symbolic tensor of shape ", shape_.to_string(),
        ": symbolic tensors (from Input, or a model's call() while Strata traces its shapes) hold no data. "
        "Compute with layers and strata::ops, which work on both kinds; read values only from concrete tensors."));
  throw StateError(detail::concat("Tensor::", what, " on an empty tensor (default-constructed or moved from)"));
}

Tensor Tensor::reshaped(const Shape& shape) const {
  STRATA_CHECK(!symbolic_, StateError, "Tensor::reshaped on a symbolic tensor of shape ", shape_.to_string(),
               ": use strata::ops::reshape, which works on symbolic and concrete tensors.");
  STRATA_CHECK(shape.num_elements() == shape_.num_elements(), ShapeError, "cannot reshape ", shape_.to_string(), " to ",
               shape.to_string());
  Tensor out = *this;
  out.shape_ = shape;
  out.node_ = nullptr;  // a view made outside the graph is no node's output
  out.mask_ = nullptr;
  return out;
}

Tensor& reuse_or_allocate(Tensor& tensor, Backend& backend, const Shape& shape, DType dtype) {
  if (!tensor.defined() || tensor.shape() != shape || tensor.dtype() != dtype || &tensor.backend() != &backend)
    tensor = Tensor(backend, shape, dtype);
  return tensor;
}

}  // namespace strata
