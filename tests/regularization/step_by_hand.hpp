#pragma once
// A training step run by hand with the hooks api/regularization.hpp gives the trainer, in the
// order Keras's train_step runs them: forward, the data loss and its gradient, backward, the
// penalties (their value into a tracker, their gradients into the weights'), the optimizer's
// update, then the constraints. Also the evaluation step (no gradient, no update).

#include <cstdint>
#include <vector>

#include "api/regularization.hpp"
#include "strata/backend.hpp"
#include "strata/losses/loss.hpp"
#include "strata/model.hpp"
#include "strata/optimizers/optimizer.hpp"
#include "strata/tensor_host.hpp"

namespace strata::testing {

struct HandStep {
  Model& model;
  const Loss& loss;
  Tensor x, y;
  Tensor values, grad, loss_tracker, penalty_tracker;

  HandStep(Model& m, const Loss& l, Tensor inputs, Tensor targets)
      : model(m), loss(l), x(std::move(inputs)), y(std::move(targets)) {}

  /// The step's logged loss, as Keras's train_on_batch returns it: data loss + penalties.
  double train() {
    detail::Penalties penalties(model);
    reset();
    const auto outputs = model.run_step({&x, 1}, true);
    Backend& b = x.backend();
    reuse_or_allocate(values, b, outputs[0].shape().without_last_axis());
    reuse_or_allocate(grad, b, outputs[0].shape());
    loss.compute(y, outputs[0], values, &grad, loss_tracker);
    model.run_backward({&grad, 1});
    const std::uint32_t step = model.last_training_step();
    auto trainable = model.trainable_weights();
    for (Variable* v : trainable)
      if (v->grad_step != step) {
        b.fill(v->grad, 0.f);
        v->grad_step = step;
      }
    penalties.after_step(true, x.shape()[0], penalty_tracker);
    model.optimizer().apply(trainable);
    detail::apply_constraints(trainable);
    return logged();
  }

  /// The evaluation loss of the batch: data loss + penalties (weights and activities).
  double evaluate() {
    detail::Penalties penalties(model);
    reset();
    const auto outputs = model.run_step({&x, 1}, false);
    reuse_or_allocate(values, x.backend(), outputs[0].shape().without_last_axis());
    loss.compute(y, outputs[0], values, nullptr, loss_tracker);
    penalties.after_step(false, x.shape()[0], penalty_tracker);
    return logged();
  }

  /// The penalties alone of the last step (tracker[0] / tracker[1]).
  double penalty() const { return ratio(penalty_tracker); }

 private:
  void reset() {
    Backend& b = x.backend();
    reuse_or_allocate(loss_tracker, b, Shape{2});
    reuse_or_allocate(penalty_tracker, b, Shape{2});
    b.fill(loss_tracker, 0.f);
    b.fill(penalty_tracker, 0.f);
  }
  static double ratio(const Tensor& tracker) {
    const auto t = to_host(tracker);
    return double(t(0)) / double(t(1));
  }
  double logged() const { return ratio(loss_tracker) + ratio(penalty_tracker); }
};

}  // namespace strata::testing
