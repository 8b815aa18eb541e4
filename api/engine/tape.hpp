#pragma once
// The tape: the one engine under Sequential, Functional and subclassed models. While a model
// runs a step, every primitive layer call appends a node (layer, call context, input tensors,
// output tensor); backward walks the nodes in reverse, handing each call the gradient of its
// output, summing the gradients of a tensor used several times and of a layer called several
// times. Contexts and gradient buffers are pooled by position in the step, so a step that
// repeats the last one's calls allocates nothing.
//
// Why a define-by-run tape rather than a graph traced once: a subclassed model's call() is
// arbitrary C++ (loops, branches on shapes or on the training flag) and runs every step, as in
// Keras; recording what actually ran is the only faithful way to differentiate it, and the
// same recording serves Sequential (a chain) and Functional (its nodes in topological order).
// The cost is one vector append per layer call.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "strata/call_context.hpp"
#include "strata/tensor.hpp"

namespace strata {
class Layer;
}

namespace strata::detail {

/// Told during backward when a layer's weight gradients are complete (the walk has passed the
/// layer's first call of the step), so data-parallel training can start summing them across
/// processes while the rest of backward runs.
class GradientObserver {
 public:
  virtual ~GradientObserver() = default;
  virtual void gradients_ready(Layer& layer) = 0;
};

class Tape {
 public:
  /// Starts a step: forgets the last step's nodes (keeping every pool).
  void begin();
  std::uint32_t step() const { return step_; }

  /// The context for the next recorded call, pooled by position: cleared when another layer
  /// than last step's takes it.
  CallContext& next_context(const void* owner);
  /// Records a primitive call that ran in the context next_context returned; stamps `output`
  /// with its tape slot. `keep` holds a layer made for this call alone (an op).
  void record(Layer& layer, std::shared_ptr<Layer> keep, std::span<const Tensor> inputs, Tensor& output);

  /// A gradient to add to `output`'s own at backward (an activity regularizer's): a zeroed
  /// tensor of output's shape, pooled, for the caller to add into; null when output was not made
  /// on this tape in this step or nothing upstream of it trains.
  Tensor* output_gradient(const Tensor& output);

  /// The number of the step most recently begun on this thread by any tape: right after a
  /// model's step, that step's number (what activity penalties are stamped with).
  static std::uint32_t latest_step();

  /// Runs backward from dL/d outputs[i] = grads[i] (outputs not made on this tape get none).
  /// Every trainable weight reached gets its gradient (summed over the calls of its layer);
  /// step() tells which ones: Variable::grad_step == step().
  void backward(std::span<const Tensor> outputs, std::span<const Tensor> grads);
  /// Who backward tells about complete weight gradients (null: nobody).
  void set_observer(GradientObserver* observer) { observer_ = observer; }

 private:
  struct Node {
    Layer* layer = nullptr;
    std::shared_ptr<Layer> keep;
    CallContext* context = nullptr;
    std::uint32_t first_input = 0;
    std::uint32_t input_count = 0;
    std::int32_t output_slot = -1;
  };
  struct Slot {
    Shape shape;
    Tensor grad;  // the gradient so far (borrowed from a node's buffer, or `sum`)
    Tensor sum;   // this slot's own buffer, used once a second gradient arrives
    bool has_grad = false;
    bool owns_grad = false;
    bool requires_grad = false;
  };

  std::int32_t slot_of(const Tensor& t) const;
  void accumulate(std::int32_t slot, const Tensor& dx);

  std::uint32_t step_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::int32_t> node_inputs_;  // a slot per input of each node, -1 when untracked
  std::vector<Slot> slots_;
  std::size_t slot_count_ = 0;  // slots_ used this step (the rest are pooled)
  std::vector<std::unique_ptr<CallContext>> contexts_;
  std::vector<std::vector<Tensor>> weight_scratch_;  // per node: gradients of a repeated call
  std::vector<Tensor> dxs_;
  struct ExtraGradient {
    std::int32_t slot = -1;
    Tensor grad;
  };
  // Marks the nodes that are their layer's first call of the step (for the observer).
  void mark_first_calls();

  GradientObserver* observer_ = nullptr;
  std::vector<std::pair<const Layer*, std::size_t>> calls_by_layer_;  // mark_first_calls's scratch
  std::vector<bool> first_call_;
  std::vector<ExtraGradient> extra_;  // output_gradient's, pooled by their order in the step
  std::size_t extra_count_ = 0;
};

}  // namespace strata::detail
