#pragma once
// The hooks through which the trainer adds regularization to a step, as Keras's trainer does:
// the penalties of the model's regularized weights and of its layers' activity regularizers
// join the loss it differentiates and logs (Keras's `compute_loss` adds `model.losses`), and
// each constrained weight is projected after the optimizer's update (Keras's
// `base_optimizer.apply`). Everything stays on the device: no value is read back per step.

#include <cstdint>
#include <vector>

#include "strata/tensor.hpp"

namespace strata {
class Layer;
class Model;
struct Variable;
}  // namespace strata

namespace strata::detail {

/// The penalties of a model: its trained variables' regularizers (Keras counts only
/// `trainable_weights`) and its layers' activity regularizers (every layer under the model;
/// the model's own is not applied, as Keras's trainer calls the model's call() directly).
class Penalties {
 public:
  /// Collects them once (at the start of fit / evaluate); ValueError when a regularizer cannot
  /// take its weight's shape (OrthogonalRegularizer on a weight not of rank 2).
  explicit Penalties(const Model& model);
  /// Whether the model has no regularizer at all (the trainer may skip after_step).
  bool empty() const { return weights_.empty() && layers_.empty(); }
  /// Call right after a step's forward (and, when `training`, its backward) on the same thread,
  /// before the optimizer's update: when training, adds each weight penalty's gradient to its
  /// variable's `grad` (a gradient the backward did not write this step is zeroed first and
  /// marked written), and adds [total penalty * batch, batch] to `tracker` ((2,), on the
  /// device), so tracker[0] / tracker[1] is the batch-weighted mean penalty to add to the
  /// logged loss. The activity penalties are the ones the step's layer calls recorded.
  void after_step(bool training, std::int64_t batch, Tensor& tracker);

 private:
  const Model& model_;
  std::vector<Variable*> weights_;
  std::vector<const Layer*> layers_;
  Tensor total_;  // (1,): this step's penalty
  Tensor pair_;   // (2,): [total * batch, batch]
};

/// Applies each variable's constraint in place (after the optimizer's update), in order.
void apply_constraints(const std::vector<Variable*>& variables);

}  // namespace strata::detail
