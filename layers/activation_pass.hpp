#pragma once
// Private helper of the layers that apply one ActivationFunction element-wise (Activation, ReLU,
// LeakyReLU): the forward / backward plumbing over Backend::activation_*, so each layer only
// chooses its function and its config keys.

#include <functional>
#include <string>

#include "strata/activation.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

/// y = f(x), written into `y` (the layer's output buffer, on its backend). A training call keeps
/// x and y in `input` and `output` for the backward pass.
Tensor activation_layer_forward(const ActivationFunction& f, const Tensor& x, Tensor& y, bool training,
                                Tensor& input, Tensor& output);

/// dx = f'(x, y) dy from the `input` and `output` a training call kept; throws StateError naming
/// `layer_name` when there was none. Returns an empty tensor when !need_input_grad; otherwise
/// writes into the buffer `dx_buffer(dy.shape())` gives and returns it.
Tensor activation_layer_backward(const std::string& layer_name, const ActivationFunction& f, const Tensor& input,
                                 const Tensor& output, const Tensor& dy, bool need_input_grad,
                                 const std::function<Tensor&(const Shape&)>& dx_buffer);

}  // namespace strata::detail
