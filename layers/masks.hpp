#pragma once
// Private to layers/: what the layers that make or read masks share (Keras's `_keras_mask`, a
// float32 tensor of 1s for steps that hold data and 0s for masked ones; see Tensor::mask).

#include <memory>
#include <span>
#include <string_view>

#include "strata/backend.hpp"
#include "strata/call_context.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

/// A per-call home for a mask a layer makes: allocated once per call context and reused, so
/// attaching it to the output allocates nothing from step to step.
struct MaskState : CallState {
  std::shared_ptr<Tensor> mask;
};

/// The symbolic mask of a symbolic tensor whose steps are `shape` (a graph being built).
inline std::shared_ptr<const Tensor> symbolic_mask(const Shape& shape) {
  return std::make_shared<const Tensor>(Tensor::symbolic(shape));
}

/// state.mask made a float32 tensor of `shape` on `backend` (allocating only when it is not one).
inline Tensor& mask_buffer(MaskState& state, Backend& backend, const Shape& shape) {
  if (!state.mask) state.mask = std::make_shared<Tensor>();
  return reuse_or_allocate(*state.mask, backend, shape);
}

/// ValueError unless `mask` (given to `layer`) has x's shape without its last axis, the shape
/// of a mask over x's steps: (batch, steps) for a sequence (batch, steps, features).
void check_mask_shape(const Tensor& x, const Tensor& mask, std::string_view layer, std::string_view class_name);

/// Keras's Merge.compute_mask (Add, Subtract, Multiply, Average, Maximum, Minimum, and
/// Concatenate along the last axis): none unless every input carries a mask, else their OR (a
/// step is kept where any input keeps it), the maximum of the masks, in state.mask.
std::shared_ptr<const Tensor> any_of_masks(std::span<const Tensor> inputs, MaskState& state);

/// For a layer that Keras lets read a mask but Strata does not yet (Softmax, BatchNormalization):
/// ValueError when an input carries one, saying what Keras would do with it, rather than
/// computing as if there were none.
void refuse_mask(std::span<const Tensor> inputs, std::string_view layer, std::string_view class_name,
                 std::string_view keras_use);

/// The attention layers' mask: the product of `factors` (each broadcasting to (batch, Tq, Tk):
/// the query's mask (batch, Tq, 1), the value's (batch, 1, Tk), an attention_mask, the causal
/// mask) written into `out` (batch, Tq, Tk), nonzero where a query may attend to a key.
void attention_mask_product(std::span<const Tensor> factors, Tensor& out);

/// A per-call home for Keras's causal mask, kept so that it is uploaded once per shape.
struct CausalMaskState : CallState {
  Tensor causal;
};

/// Keras's causal mask (1, Tq, Tk): query i may attend to key j where j <= i (its
/// _compute_causal_mask), in state.causal, uploaded only when (Tq, Tk) changes.
const Tensor& causal_mask(CausalMaskState& state, Backend& backend, std::int64_t tq, std::int64_t tk);

}  // namespace strata::detail
