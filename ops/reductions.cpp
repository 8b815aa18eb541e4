#include "ops/reductions.hpp"

#include "strata/error.hpp"

namespace strata::ops::impl {

namespace {

enum Slot : std::size_t { kOutput, kScalar, kMask, kCount, kShare, kInputGrad };

const char* class_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return "Sum";
    case ReduceOp::Mean: return "Mean";
    case ReduceOp::Max: return "Max";
    default: throw ValueError("strata::ops reductions take Sum, Mean or Max");
  }
}

const char* snake_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return "sum";
    case ReduceOp::Mean: return "mean";
    default: return "max";
  }
}

}  // namespace

Reduction::Reduction(ReduceOp op, std::optional<std::vector<int>> axes, bool keepdims)
    : OpLayer(class_of(op), snake_of(op)), op_(op), axes_(std::move(axes)), keepdims_(keepdims) {}

Shape Reduction::kept_shape(const Shape& input_shape) const {
  std::vector<std::int64_t> dims = input_shape.to_vector();
  if (!axes_) {
    std::fill(dims.begin(), dims.end(), 1);
  } else {
    for (const int a : *axes_) dims[static_cast<std::size_t>(canonical_axis(a, input_shape.rank()))] = 1;
  }
  return Shape(dims);
}

Shape Reduction::compute_output_shape(const Shape& input_shape) const {
  // Keras's reduce_shape: the reduced axes become 1s, or go.
  const Shape kept = kept_shape(input_shape);
  if (keepdims_) return kept;
  std::vector<bool> reduced(input_shape.rank(), !axes_);
  if (axes_)
    for (const int a : *axes_) reduced[static_cast<std::size_t>(canonical_axis(a, input_shape.rank()))] = true;
  std::vector<std::int64_t> dims;
  for (std::size_t k = 0; k < input_shape.rank(); ++k)
    if (!reduced[k]) dims.push_back(input_shape.dims()[k]);
  return Shape(dims);
}

Tensor Reduction::forward(const Tensor& x, bool) {
  Tensor& y = buffer(kOutput, kept_shape(x.shape()));
  backend().reduce(op_, x, y);
  save(0, x);
  save(1, y);
  return y.reshaped(compute_output_shape(x.shape()));
}

Tensor Reduction::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  const Tensor& x = saved(0);
  const Tensor& y = saved(1);
  Backend& b = backend();
  const Tensor g = dy.reshaped(y.shape());  // keepdims form: broadcasts against x
  Tensor& dx = buffer(kInputGrad, x.shape());
  if (op_ != ReduceOp::Max) {
    // Every element gets g (sum) or g / count (mean): a broadcast product with a scalar.
    const float factor = op_ == ReduceOp::Mean ? static_cast<float>(y.size()) / static_cast<float>(x.size()) : 1.f;
    b.binary(BinaryOp::Multiply, g, scalar(kScalar, factor), dx);
    return dx;
  }
  // Max: g shared among the elements equal to the maximum.
  Tensor& mask = buffer(kMask, x.shape());
  b.binary(BinaryOp::Equal, x, y, mask);
  Tensor& count = buffer(kCount, y.shape());
  b.reduce(ReduceOp::Sum, mask, count);
  Tensor& share = buffer(kShare, y.shape());
  b.binary(BinaryOp::Divide, g, count, share);
  b.binary(BinaryOp::Multiply, mask, share, dx);
  return dx;
}

}  // namespace strata::ops::impl
