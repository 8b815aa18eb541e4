#pragma once
// Private to layers/: what the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
// Concatenate, Dot) share. Keras's Merge base class in two parts:
//  - its shape rules and their error texts (Merge._compute_elemwise_op_output_shape, the batch
//    size check, the Python text of a list of shapes);
//  - the forward and backward passes of the six element-wise merges, written once against
//    MergeCall, the slice of a layer's protected per-call API they need. A merge layer grants
//    `friend class detail::MergeCall;` so MergeCall can reach that API through it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "layers/masks.hpp"
#include "strata/backend.hpp"
#include "strata/call_context.hpp"
#include "strata/layer.hpp"
#include "strata/shape.hpp"

namespace strata::detail {

// ---- shape rules ------------------------------------------------------------------------------

/// Python's text for a list of shapes, as Keras prints `input_shape`: "[(None, 3), (None, 4)]".
std::string shapes_text(std::span<const Shape> shapes);

/// Merge._compute_elemwise_op_output_shape on two shapes without their batch axis: aligned at
/// their last axes, an axis of 1 takes the other's size, None (-1) wins. ValueError
/// "Inputs have incompatible shapes. Received shapes (3,) and (4,)" otherwise.
Shape elementwise_shape(const Shape& a, const Shape& b);

/// Merge.compute_output_shape: the batch axis (None unless the inputs agree on one size), then
/// elementwise_shape folded over the inputs' other axes.
Shape merge_output_shape(std::span<const Shape> shapes);

/// Merge.build's check that the known batch sizes agree: ValueError "Cannot merge tensors with
/// different batch sizes. Received tensors with shapes [(2, 3), (4, 3)]".
void check_batch_sizes(std::span<const Shape> shapes);

/// `shape` with 1s inserted after its batch axis up to `rank` axes: how Keras's Merge expands
/// a lower-rank input (ops.expand_dims(x, axis=1)) so NumPy broadcasting applies.
Shape expand_after_batch(const Shape& shape, std::size_t rank);

// ---- the element-wise merges --------------------------------------------------------------------

/// What a merge call keeps for its backward: its inputs (their shapes included) and its output.
struct MergeState : MaskState {
  std::vector<Tensor> inputs;
  Tensor output;
};

/// The per-call API of one merge layer: its backend, its call's buffers and MergeState.
class MergeCall {
 public:
  template <class Self>
  explicit MergeCall(Self& self)
      : backend_(self.backend()),
        state_(self.template call_state<MergeState>()),
        layer_(self),
        buffer_([](Layer& layer, std::size_t slot, const Shape& shape) -> Tensor& {
          return static_cast<Self&>(layer).buffer(slot, shape);
        }) {}

  Backend& backend() const { return backend_; }
  MergeState& state() const { return state_; }
  Tensor& buffer(std::size_t slot, const Shape& shape) const { return buffer_(layer_, slot, shape); }

 private:
  Backend& backend_;
  MergeState& state_;
  Layer& layer_;
  Tensor& (*buffer_)(Layer&, std::size_t, const Shape&);
};

enum class MergeKind { Add, Subtract, Multiply, Average, Maximum, Minimum };

/// The output shape of an element-wise merge of `shapes` (checked as Keras's Merge.build, and
/// Subtract's exactly-2 rule), batch axis included.
Shape elementwise_merge_shape(MergeKind kind, std::span<const Shape> shapes);

/// Forward of an element-wise merge of concrete inputs; keeps what backward needs in the call's
/// MergeState.
Tensor elementwise_forward(const MergeCall& call, MergeKind kind, std::span<const Tensor> inputs);

/// dxs[i] = dL/d input i for every bit i set in need_mask: the output gradient (times the
/// partial derivative) summed over the axes input i was broadcast along.
void elementwise_backward(const MergeCall& call, MergeKind kind, const Tensor& dy, std::span<Tensor> dxs,
                          std::uint32_t need_mask);

}  // namespace strata::detail
