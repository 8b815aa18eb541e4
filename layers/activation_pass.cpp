#include "layers/activation_pass.hpp"

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::detail {

Tensor activation_layer_forward(const ActivationFunction& f, const Tensor& x, Tensor& y, bool training,
                                Tensor& input, Tensor& output) {
  y.backend().activation_forward(f, x, y);
  if (training) {
    input = x;
    output = y;
  }
  return y;
}

Tensor activation_layer_backward(const std::string& layer_name, const ActivationFunction& f, const Tensor& input,
                                 const Tensor& output, const Tensor& dy, bool need_input_grad,
                                 const std::function<Tensor&(const Shape&)>& dx_buffer) {
  STRATA_CHECK(output.defined(), StateError, "layer \"", layer_name, "\": backward() before a training call");
  if (!need_input_grad) return {};
  Tensor& dx = dx_buffer(dy.shape());
  dx.backend().activation_backward(f, input, output, dy, dx);
  return dx;
}

}  // namespace strata::detail
