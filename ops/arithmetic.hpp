#pragma once
// Private to ops/: add, subtract, multiply and divide (keras.ops's Add, Subtract, Multiply,
// Divide) between two tensors with NumPy broadcasting, or between a tensor and a float on
// either side; and negative (Negative).

#include <optional>

#include "ops/op_layer.hpp"
#include "strata/backend.hpp"

namespace strata::ops::impl {

/// BinaryOp::Add, Subtract, Multiply or Divide. Two inputs, or one input and a float operand
/// (`scalar_first`: the float is the left operand, as in 1.f - x).
class Arithmetic : public OpLayer {
 public:
  explicit Arithmetic(BinaryOp op);
  Arithmetic(BinaryOp op, float scalar, bool scalar_first);

  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;

 protected:
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

 private:
  // The two operands of this call, the float one as a (1,) tensor.
  std::pair<Tensor, Tensor> operands(std::span<const Tensor> inputs);

  BinaryOp op_;
  std::optional<float> scalar_;
  bool scalar_first_ = false;
};

/// -x.
class Negative : public OpLayer {
 public:
  Negative();

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;
};

}  // namespace strata::ops::impl
