#pragma once
/// strata::ops: Keras's keras.ops for Strata tensors. Every op is differentiable and works on
/// both kinds of tensors:
///  - on symbolic tensors (from `Input`) it records a node of the Functional graph and returns
///    a symbolic tensor of the inferred shape;
///  - on concrete tensors it runs; inside a model's step (a subclassed model's `call`, say) the
///    engine's tape records it, so backward reaches through it.
/// Each call makes one op (a layer named as Keras names ops: "add", "add_1", ...).
///
///     auto x = Input({4});  auto y = ops::relu(ops::matmul(x, w) + 1.f);
///
/// Shapes broadcast as NumPy's (and Keras's broadcast_shapes): aligned at the last axes, an
/// axis of size 1 repeated. Axes may be negative (counted from the end). Errors are ValueError
/// with Keras's messages.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <vector>

#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata::ops {

// ---- arithmetic (a tensor and a tensor, or a float on either side) ------------------------------
/// @{
/// a + b, broadcast as NumPy does; either side may be a float.
Tensor add(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, float b);
Tensor add(float a, const Tensor& b);
/// @}
/// @{
/// a - b, broadcast as NumPy does; either side may be a float.
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, float b);
Tensor subtract(float a, const Tensor& b);
/// @}
/// @{
/// a * b element-wise, broadcast as NumPy does; either side may be a float.
Tensor multiply(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, float b);
Tensor multiply(float a, const Tensor& b);
/// @}
/// @{
/// a / b element-wise, broadcast as NumPy does; either side may be a float.
Tensor divide(const Tensor& a, const Tensor& b);
Tensor divide(const Tensor& a, float b);
Tensor divide(float a, const Tensor& b);
/// @}
/// -x.
Tensor negative(const Tensor& x);

/// a (..., n, k) times b (k, m) -> (..., n, m): a 2-D matrix product, a's leading axes folded
/// into rows. (Keras's batched form, b of rank > 2, is not supported yet.)
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- shapes --------------------------------------------------------------------------------------
/// @{
/// The tensors joined along `axis` (Keras's default: 0); every other axis must match.
Tensor concatenate(std::span<const Tensor> tensors, int axis = 0);
Tensor concatenate(std::initializer_list<Tensor> tensors, int axis = 0);
/// @}
/// (batch, *shape): each sample reshaped, the batch axis kept (keras.ops.reshape(x, (-1, *shape))
/// and keras.layers.Reshape); one axis of `shape` may be -1, inferred from the sample's size.
Tensor reshape(const Tensor& x, const Shape& shape);
/// x's axes permuted: result axis i is x's axis axes[i]; reversed when `axes` is not given.
Tensor transpose(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt);
/// A new axis of size 1 at `axis` of the result.
Tensor expand_dims(const Tensor& x, int axis);
/// `axis` removed (its size must be 1), or every axis of size 1 when `axis` is not given.
Tensor squeeze(const Tensor& x, std::optional<int> axis = std::nullopt);
/// x[..., start : start + size, ...] along `axis`; a negative start counts from the end.
Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t size);
/// x with the order of its elements along `axis` reversed (keras.ops.flip with one axis; Keras's
/// default, every axis at once, is not offered).
Tensor flip(const Tensor& x, int axis);

// ---- reductions: over `axes` (every axis when not given, as Keras's None) -------------------------
/// @{
/// The sum over `axes` (one axis, a list, or every axis when not given); keepdims keeps them with size 1.
Tensor sum(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt, bool keepdims = false);
Tensor sum(const Tensor& x, int axis, bool keepdims = false);
/// @}
/// @{
/// The mean over `axes` (one axis, a list, or every axis when not given); keepdims keeps them with size 1.
Tensor mean(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt, bool keepdims = false);
Tensor mean(const Tensor& x, int axis, bool keepdims = false);
/// @}
/// @{
/// The gradient goes in equal shares to the elements tied for a maximum (as JAX's).
Tensor max(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt, bool keepdims = false);
Tensor max(const Tensor& x, int axis, bool keepdims = false);
/// @}

// ---- activations ---------------------------------------------------------------------------------
/// max(x, 0).
Tensor relu(const Tensor& x);
/// 1 / (1 + exp(-x)).
Tensor sigmoid(const Tensor& x);
/// The hyperbolic tangent.
Tensor tanh(const Tensor& x);
/// Over `axis`; an axis other than the last runs as transpose, softmax, transpose.
Tensor softmax(const Tensor& x, int axis = -1);
/// approximate (Keras's default): 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), composed
/// of the ops above; otherwise the exact x Phi(x).
Tensor gelu(const Tensor& x, bool approximate = true);
/// x for x > 0, else alpha (exp(x) - 1).
Tensor elu(const Tensor& x, float alpha = 1.f);
/// Keras's selu: scale * elu(x, alpha) with the self-normalising constants.
Tensor selu(const Tensor& x);
/// log(1 + exp(x)).
Tensor softplus(const Tensor& x);
/// x sigmoid(x) (Keras's silu, also called swish).
Tensor silu(const Tensor& x);
/// x for x >= 0, else negative_slope * x.
Tensor leaky_relu(const Tensor& x, float negative_slope = 0.2f);

}  // namespace strata::ops

namespace strata {

/// @{
/// The arithmetic ops as operators: a + b, a - b, a * b, a / b, -a, and with a float on either
/// side (a * 2.f, 1.f - a).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, float b);
Tensor operator+(float a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, float b);
Tensor operator-(float a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, float b);
Tensor operator*(float a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, float b);
Tensor operator/(float a, const Tensor& b);
Tensor operator-(const Tensor& x);
/// @}

}  // namespace strata
