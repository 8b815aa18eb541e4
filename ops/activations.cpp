#include "ops/activations.hpp"

#include "strata/backend.hpp"

namespace strata::ops::impl {

namespace {

enum Slot : std::size_t { kOutput, kInputGrad };

}  // namespace

ActivationOp::ActivationOp(ActivationFunction function, std::string class_name, std::string_view prefix)
    : OpLayer(std::move(class_name), prefix), function_(function) {}

Tensor ActivationOp::forward(const Tensor& x, bool) {
  Tensor& y = buffer(kOutput, x.shape());
  backend().activation_forward(function_, x, y);
  save(0, x);
  save(1, y);
  return y;
}

Tensor ActivationOp::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  Tensor& dx = buffer(kInputGrad, dy.shape());
  backend().activation_backward(function_, saved(0), saved(1), dy, dx);
  return dx;
}

}  // namespace strata::ops::impl
