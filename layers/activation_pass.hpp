#pragma once
// Private helper of the layers that apply one ActivationFunction element-wise (Activation, ReLU,
// LeakyReLU): the forward / backward plumbing over Backend::activation_*, so each layer only
// chooses its function and its config keys.

#include <cstddef>
#include <functional>

#include "strata/activation.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata {
class Backend;
}

namespace strata::detail {

/// Whether `backend` runs activations forward and backward in `dtype`: the layers'
/// Layer::computes_in.
bool activation_computes_in(const Backend& backend, DType dtype);

/// y = f(x), written into `y` (the layer's output buffer, on its backend). A training call saves
/// x and y for the backward pass with `save` (the layer's Layer::save).
Tensor activation_layer_forward(const ActivationFunction& f, const Tensor& x, Tensor& y, bool training,
                                const std::function<void(std::size_t, const Tensor&)>& save);

/// dx = f'(x, y) dy from the x and y the training call saved, read with `saved` (the layer's
/// Layer::saved, which throws StateError when there was none). Returns an empty tensor when
/// !need_input_grad; otherwise writes into the buffer `dx_buffer(dy.shape())` gives and returns it.
Tensor activation_layer_backward(const ActivationFunction& f, const std::function<const Tensor&(std::size_t)>& saved,
                                 const Tensor& dy, bool need_input_grad,
                                 const std::function<Tensor&(const Shape&)>& dx_buffer);

}  // namespace strata::detail
