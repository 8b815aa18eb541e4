#include "api/engine/tape.hpp"

#include <algorithm>
#include <atomic>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/layer.hpp"

namespace strata::detail {

namespace {
// Steps are numbered across every tape of the process, so Variable::grad_step never confuses
// the step of one model's tape with another's.
std::atomic<std::uint32_t> next_step{1};
thread_local std::uint32_t latest_on_this_thread = 0;
}  // namespace

std::uint32_t Tape::latest_step() { return latest_on_this_thread; }

void Tape::begin() {
  step_ = next_step.fetch_add(1);
  latest_on_this_thread = step_;
  extra_count_ = 0;
  for (auto& node : nodes_) node.keep.reset();
  nodes_.clear();
  node_inputs_.clear();
  for (std::size_t i = 0; i < slot_count_; ++i) {
    slots_[i].grad = Tensor();
    slots_[i].has_grad = false;
    slots_[i].owns_grad = false;
  }
  slot_count_ = 0;
}

CallContext& Tape::next_context(const void* owner) {
  const std::size_t index = nodes_.size();
  if (contexts_.size() <= index) contexts_.push_back(std::make_unique<CallContext>());
  CallContext& context = *contexts_[index];
  if (context.owner != owner) {
    context.clear_saved();
    context.state.reset();
    context.owner = owner;
  }
  return context;
}

std::int32_t Tape::slot_of(const Tensor& t) const {
  if (t.tape_step != step_ || t.tape_slot < 0 || std::size_t(t.tape_slot) >= slot_count_) return -1;
  return t.tape_slot;
}

void Tape::record(Layer& layer, std::shared_ptr<Layer> keep, std::span<const Tensor> inputs, Tensor& output) {
  // backward's need mask has a bit per input.
  STRATA_CHECK(inputs.size() <= 32, ValueError, "layer \"", layer.name(), "\" was called on ", inputs.size(),
               " tensors; a call takes at most 32");
  const std::size_t index = nodes_.size();
  Node node;
  node.layer = &layer;
  node.keep = std::move(keep);
  node.context = contexts_[index].get();
  node.first_input = static_cast<std::uint32_t>(node_inputs_.size());
  node.input_count = static_cast<std::uint32_t>(inputs.size());
  bool requires_grad = layer.has_trainable_weights();
  for (const Tensor& input : inputs) {
    const std::int32_t slot = slot_of(input);
    node_inputs_.push_back(slot);
    if (slot >= 0 && slots_[slot].requires_grad) requires_grad = true;
  }
  if (slots_.size() <= slot_count_) slots_.emplace_back();
  const auto slot = static_cast<std::int32_t>(slot_count_++);
  slots_[slot].shape = output.shape();
  slots_[slot].requires_grad = requires_grad;
  output.tape_slot = slot;
  output.tape_step = step_;
  node.output_slot = slot;
  nodes_.push_back(std::move(node));
}

Tensor* Tape::output_gradient(const Tensor& output) {
  const std::int32_t slot = slot_of(output);
  if (slot < 0 || !slots_[slot].requires_grad) return nullptr;
  if (extra_.size() <= extra_count_) extra_.emplace_back();
  ExtraGradient& extra = extra_[extra_count_++];
  extra.slot = slot;
  reuse_or_allocate(extra.grad, output.backend(), output.shape(), output.dtype());
  output.backend().fill(extra.grad, 0.f);
  return &extra.grad;
}

void Tape::accumulate(std::int32_t index, const Tensor& dx) {
  Slot& slot = slots_[index];
  // A view with the slot's shape: a reshaped use of a tensor sends back its own shape.
  const Tensor grad = dx.shape() == slot.shape ? dx : dx.reshaped(slot.shape);
  if (!slot.has_grad) {
    slot.grad = grad;  // borrowed: whoever made dx may reuse it only in the next step
    slot.has_grad = true;
    return;
  }
  Backend& backend = grad.backend();
  if (!slot.owns_grad) {
    reuse_or_allocate(slot.sum, backend, slot.shape, grad.dtype());
    backend.add(slot.grad, grad, slot.sum);
    slot.grad = slot.sum;
    slot.owns_grad = true;
    return;
  }
  backend.add(slot.grad, grad, slot.grad);
}

void Tape::mark_first_calls() {
  // Sorting (layer, position) pairs finds each layer's first call without allocating in a
  // step that repeats the last one.
  calls_by_layer_.clear();
  for (std::size_t n = 0; n < nodes_.size(); ++n) calls_by_layer_.emplace_back(nodes_[n].layer, n);
  std::sort(calls_by_layer_.begin(), calls_by_layer_.end());
  first_call_.assign(nodes_.size(), false);
  for (std::size_t i = 0; i < calls_by_layer_.size(); ++i)
    if (i == 0 || calls_by_layer_[i].first != calls_by_layer_[i - 1].first)
      first_call_[calls_by_layer_[i].second] = true;
}

void Tape::backward(std::span<const Tensor> outputs, std::span<const Tensor> grads) {
  if (observer_) mark_first_calls();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::int32_t slot = slot_of(outputs[i]);
    if (slot >= 0 && grads[i].defined()) accumulate(slot, grads[i]);
  }
  // Gradients added to intermediate outputs during forward (activity penalties): a sum is
  // order-free, so they join their slots before the walk reaches the nodes that made them.
  for (std::size_t i = 0; i < extra_count_; ++i) accumulate(extra_[i].slot, extra_[i].grad);
  if (weight_scratch_.size() < nodes_.size()) weight_scratch_.resize(nodes_.size());
  for (std::size_t n = nodes_.size(); n-- > 0;) {
    Node& node = nodes_[n];
    const Slot& out = slots_[node.output_slot];
    if (!out.has_grad || !out.requires_grad) continue;
    std::uint32_t need = 0;
    for (std::uint32_t i = 0; i < node.input_count; ++i) {
      const std::int32_t slot = node_inputs_[node.first_input + i];
      if (slot >= 0 && slots_[slot].requires_grad) need |= 1u << i;
    }
    Layer& layer = *node.layer;
    const bool trains = layer.has_trainable_weights();
    if (!trains && need == 0) continue;

    // A layer called more than once this step: its later calls (earlier in this walk) write
    // their weight gradients into scratch tensors that are then added to the first ones.
    auto& scratch = weight_scratch_[n];
    std::uint64_t swapped = 0;  // bit v: variable v writes into scratch[v] in this call
    if (trains) {
      const auto& variables = layer.own_variables();
      STRATA_CHECK(variables.size() <= 64, ValueError, "layer \"", layer.name(), "\" has more than 64 weights");
      if (scratch.size() < variables.size()) scratch.resize(variables.size());
      for (std::size_t v = 0; v < variables.size(); ++v) {
        Variable& variable = *variables[v];
        if (!variable.trainable) continue;
        if (variable.grad_step == step_) {
          reuse_or_allocate(scratch[v], variable.grad.backend(), variable.grad.shape());
          std::swap(scratch[v], variable.grad);
          swapped |= std::uint64_t{1} << v;
        } else {
          variable.grad_step = step_;
        }
      }
    }
    if (dxs_.size() < node.input_count) dxs_.resize(node.input_count);
    const std::span<Tensor> dxs(dxs_.data(), node.input_count);
    for (auto& dx : dxs) dx = Tensor();
    layer.backward_in(*node.context, out.grad, dxs, need);
    if (swapped) {
      const auto& variables = layer.own_variables();
      for (std::size_t v = 0; v < variables.size(); ++v) {
        if (!(swapped & (std::uint64_t{1} << v))) continue;
        // variable.grad holds this call's gradient, scratch[v] the sum of the later calls'.
        Variable& variable = *variables[v];
        std::swap(scratch[v], variable.grad);
        variable.grad.backend().add(variable.grad, scratch[v], variable.grad);
      }
    }
    for (std::uint32_t i = 0; i < node.input_count; ++i) {
      if (!(need & (1u << i))) continue;
      STRATA_CHECK(dxs[i].defined(), StateError, "layer \"", layer.name(), "\" returned no gradient for input ", i,
                   " of a recorded call");
      accumulate(node_inputs_[node.first_input + i], dxs[i]);
    }
    if (observer_ && trains && first_call_[n]) observer_->gradients_ready(layer);
  }
}

}  // namespace strata::detail
