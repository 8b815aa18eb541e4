#include "ops/arithmetic.hpp"

#include "strata/error.hpp"

namespace strata::ops::impl {

namespace {

enum Slot : std::size_t { kOutput, kScalar, kScratchA, kScratchB, kScratchC, kGradA, kGradB, kNegated };

const char* class_of(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "Add";
    case BinaryOp::Subtract: return "Subtract";
    case BinaryOp::Multiply: return "Multiply";
    case BinaryOp::Divide: return "Divide";
    default: throw ValueError("strata::ops arithmetic takes Add, Subtract, Multiply or Divide");
  }
}

std::string snake_of(BinaryOp op) {
  std::string name = class_of(op);
  name[0] = static_cast<char>(name[0] - 'A' + 'a');
  return name;
}

}  // namespace

Arithmetic::Arithmetic(BinaryOp op) : OpLayer(class_of(op), snake_of(op)), op_(op) {}

Arithmetic::Arithmetic(BinaryOp op, float scalar, bool scalar_first)
    : OpLayer(class_of(op), snake_of(op)), op_(op), scalar_(scalar), scalar_first_(scalar_first) {}

Shape Arithmetic::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  const std::size_t want = scalar_ ? 1 : 2;
  STRATA_CHECK(input_shapes.size() == want, ValueError, class_name(), " takes ", want, " tensor(s), received ",
               input_shapes.size());
  return scalar_ ? input_shapes[0] : broadcast_shapes(input_shapes[0], input_shapes[1]);
}

std::pair<Tensor, Tensor> Arithmetic::operands(std::span<const Tensor> inputs) {
  if (!scalar_) return {inputs[0], inputs[1]};
  const Tensor& s = scalar(kScalar, *scalar_);
  return scalar_first_ ? std::pair{s, inputs[0]} : std::pair{inputs[0], s};
}

Tensor Arithmetic::forward_inputs(std::span<const Tensor> inputs, bool) {
  Shape shapes[2];
  for (std::size_t i = 0; i < inputs.size() && i < 2; ++i) shapes[i] = inputs[i].shape();
  const Shape out_shape = compute_output_shape_inputs(std::span<const Shape>(shapes, inputs.size()));
  const auto [a, b] = operands(inputs);
  Tensor& y = buffer(kOutput, out_shape);
  backend().binary(op_, a, b, y);
  // Divide's gradients read its output; the others read their operands.
  save(0, a);
  save(1, b);
  save(2, y);
  return y;
}

void Arithmetic::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  const Tensor& a = saved(0);
  const Tensor& b = saved(1);
  const Tensor& y = saved(2);
  Backend& be = backend();
  const Shape& out_shape = dy.shape();
  // Which operands are this call's tensor inputs (not its float), and where their gradients go.
  const bool need_a = scalar_ ? !scalar_first_ && (need_mask & 1u) : (need_mask & 1u) != 0;
  const bool need_b = scalar_ ? scalar_first_ && (need_mask & 1u) : (need_mask & 2u) != 0;

  // d/da: 1 for add and subtract, b for multiply, 1 / b for divide.
  if (need_a) {
    Tensor g = dy;
    if (op_ == BinaryOp::Multiply || op_ == BinaryOp::Divide) {
      g = buffer(kScratchA, out_shape);
      be.binary(op_, dy, b, g);
    }
    dxs[0] = unbroadcast(kGradA, g, a.shape());
  }
  // d/db: 1 for add, -1 for subtract, a for multiply, -a / b^2 = -y / b for divide.
  if (need_b) {
    Tensor g = dy;
    if (op_ == BinaryOp::Multiply || op_ == BinaryOp::Divide) {
      g = buffer(kScratchB, out_shape);
      be.binary(BinaryOp::Multiply, dy, op_ == BinaryOp::Multiply ? a : y, g);
    }
    if (op_ == BinaryOp::Divide) {
      Tensor& quotient = buffer(kScratchC, out_shape);
      be.binary(BinaryOp::Divide, g, b, quotient);
      g = quotient;
    }
    Tensor db = unbroadcast(kGradB, g, b.shape());
    if (op_ == BinaryOp::Subtract || op_ == BinaryOp::Divide) {
      Tensor& negated = buffer(kNegated, b.shape());
      be.affine(db, -1.f, 0.f, negated);
      db = negated;
    }
    dxs[scalar_ ? 0 : 1] = db;
  }
}

Negative::Negative() : OpLayer("Negative", "negative") {}

Tensor Negative::forward(const Tensor& x, bool) {
  Tensor& y = buffer(0, x.shape());
  backend().affine(x, -1.f, 0.f, y);
  return y;
}

Tensor Negative::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, dy.shape());
  backend().affine(dy, -1.f, 0.f, dx);
  return dx;
}

}  // namespace strata::ops::impl
