// The public strata::ops functions and operators: each makes one op layer and calls it.

#include "strata/ops.hpp"

#include <cmath>
#include <numbers>
#include <numeric>

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/reductions.hpp"
#include "ops/shape_ops.hpp"

namespace strata::ops {

using namespace impl;

namespace {

template <class Op, class... Args>
Tensor unary(const Tensor& x, Args&&... args) {
  return call_op<Op>(std::span<const Tensor>(&x, 1), std::forward<Args>(args)...);
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const Tensor inputs[2] = {a, b};
  return call_op<Arithmetic>(inputs, op);
}

Tensor with_scalar(BinaryOp op, const Tensor& x, float scalar, bool scalar_first) {
  return unary<Arithmetic>(x, op, scalar, scalar_first);
}

Tensor activation(const Tensor& x, ActivationFunction function, const char* class_name, const char* prefix) {
  return unary<ActivationOp>(x, function, class_name, prefix);
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Add, a, b); }
Tensor add(const Tensor& a, float b) { return with_scalar(BinaryOp::Add, a, b, false); }
Tensor add(float a, const Tensor& b) { return with_scalar(BinaryOp::Add, b, a, true); }
Tensor subtract(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Subtract, a, b); }
Tensor subtract(const Tensor& a, float b) { return with_scalar(BinaryOp::Subtract, a, b, false); }
Tensor subtract(float a, const Tensor& b) { return with_scalar(BinaryOp::Subtract, b, a, true); }
Tensor multiply(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Multiply, a, b); }
Tensor multiply(const Tensor& a, float b) { return with_scalar(BinaryOp::Multiply, a, b, false); }
Tensor multiply(float a, const Tensor& b) { return with_scalar(BinaryOp::Multiply, b, a, true); }
Tensor divide(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Divide, a, b); }
Tensor divide(const Tensor& a, float b) { return with_scalar(BinaryOp::Divide, a, b, false); }
Tensor divide(float a, const Tensor& b) { return with_scalar(BinaryOp::Divide, b, a, true); }
Tensor negative(const Tensor& x) { return unary<Negative>(x); }

Tensor matmul(const Tensor& a, const Tensor& b) {
  const Tensor inputs[2] = {a, b};
  return call_op<Matmul>(inputs);
}

Tensor concatenate(std::span<const Tensor> tensors, int axis) { return call_op<impl::Concatenate>(tensors, axis); }
Tensor concatenate(std::initializer_list<Tensor> tensors, int axis) {
  return concatenate(std::span<const Tensor>(tensors.begin(), tensors.size()), axis);
}
Tensor reshape(const Tensor& x, const Shape& shape) { return unary<impl::Reshape>(x, shape); }
Tensor transpose(const Tensor& x, std::optional<std::vector<int>> axes) { return unary<Transpose>(x, std::move(axes)); }
Tensor expand_dims(const Tensor& x, int axis) { return unary<ExpandDims>(x, axis); }
Tensor squeeze(const Tensor& x, std::optional<int> axis) { return unary<Squeeze>(x, axis); }
Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t size) {
  return unary<Slice>(x, axis, start, size);
}

Tensor flip(const Tensor& x, int axis) { return unary<Flip>(x, axis); }

Tensor sum(const Tensor& x, std::optional<std::vector<int>> axes, bool keepdims) {
  return unary<Reduction>(x, ReduceOp::Sum, std::move(axes), keepdims);
}
Tensor sum(const Tensor& x, int axis, bool keepdims) { return sum(x, std::vector<int>{axis}, keepdims); }
Tensor mean(const Tensor& x, std::optional<std::vector<int>> axes, bool keepdims) {
  return unary<Reduction>(x, ReduceOp::Mean, std::move(axes), keepdims);
}
Tensor mean(const Tensor& x, int axis, bool keepdims) { return mean(x, std::vector<int>{axis}, keepdims); }
Tensor max(const Tensor& x, std::optional<std::vector<int>> axes, bool keepdims) {
  return unary<Reduction>(x, ReduceOp::Max, std::move(axes), keepdims);
}
Tensor max(const Tensor& x, int axis, bool keepdims) { return max(x, std::vector<int>{axis}, keepdims); }

Tensor relu(const Tensor& x) { return activation(x, {ActivationKind::Relu}, "Relu", "relu"); }
Tensor sigmoid(const Tensor& x) { return activation(x, {ActivationKind::Sigmoid}, "Sigmoid", "sigmoid"); }
Tensor tanh(const Tensor& x) { return activation(x, {ActivationKind::Tanh}, "Tanh", "tanh"); }
Tensor elu(const Tensor& x, float alpha) { return activation(x, {ActivationKind::Elu, alpha}, "Elu", "elu"); }
Tensor selu(const Tensor& x) { return activation(x, {ActivationKind::Selu}, "Selu", "selu"); }
Tensor softplus(const Tensor& x) { return activation(x, {ActivationKind::Softplus}, "Softplus", "softplus"); }
Tensor silu(const Tensor& x) { return activation(x, {ActivationKind::Swish}, "Silu", "silu"); }
Tensor leaky_relu(const Tensor& x, float negative_slope) {
  return activation(x, {ActivationKind::LeakyRelu, negative_slope}, "LeakyRelu", "leaky_relu");
}

Tensor softmax(const Tensor& x, int axis) {
  const std::size_t rank = x.shape().rank();
  const auto last = static_cast<int>(rank) - 1;
  const int a = canonical_axis(axis, rank);
  const auto run = [](const Tensor& t) { return activation(t, {ActivationKind::Softmax}, "Softmax", "softmax"); };
  if (a == last) return run(x);
  // The backend's softmax runs over the last axis: swap `axis` there and back (a swap is its
  // own inverse).
  std::vector<int> swap(rank);
  std::iota(swap.begin(), swap.end(), 0);
  std::swap(swap[static_cast<std::size_t>(a)], swap[static_cast<std::size_t>(last)]);
  return transpose(run(transpose(x, swap)), swap);
}

Tensor gelu(const Tensor& x, bool approximate) {
  if (!approximate) return activation(x, {ActivationKind::Gelu}, "Gelu", "gelu");
  // JAX's jax.nn.gelu(approximate=True), step by step.
  const float sqrt_2_over_pi = static_cast<float>(std::sqrt(2.0 / std::numbers::pi));
  const Tensor cube = x * x * x;
  const Tensor cdf = 0.5f * (1.f + tanh(sqrt_2_over_pi * (x + 0.044715f * cube)));
  return x * cdf;
}

}  // namespace strata::ops

namespace strata {

Tensor operator+(const Tensor& a, const Tensor& b) { return ops::add(a, b); }
Tensor operator+(const Tensor& a, float b) { return ops::add(a, b); }
Tensor operator+(float a, const Tensor& b) { return ops::add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return ops::subtract(a, b); }
Tensor operator-(const Tensor& a, float b) { return ops::subtract(a, b); }
Tensor operator-(float a, const Tensor& b) { return ops::subtract(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return ops::multiply(a, b); }
Tensor operator*(const Tensor& a, float b) { return ops::multiply(a, b); }
Tensor operator*(float a, const Tensor& b) { return ops::multiply(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return ops::divide(a, b); }
Tensor operator/(const Tensor& a, float b) { return ops::divide(a, b); }
Tensor operator/(float a, const Tensor& b) { return ops::divide(a, b); }
Tensor operator-(const Tensor& x) { return ops::negative(x); }

}  // namespace strata
