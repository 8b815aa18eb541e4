#include "api/regularization.hpp"

#include <algorithm>

#include "api/engine/tape.hpp"
#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"
#include "strata/regularizers.hpp"

namespace strata::detail {

namespace {

// Every layer under `layer` once (not `layer` itself), depth first in sublayer order.
void collect_layers(const Layer& layer, std::vector<const Layer*>& out) {
  for (const Layer* child : layer.sublayers()) {
    if (std::find(out.begin(), out.end(), child) != out.end()) continue;
    out.push_back(child);
    collect_layers(*child, out);
  }
}

}  // namespace

Penalties::Penalties(const Model& model) : model_(model) {
  // The penalties write the variables' gradients; the model itself is only read.
  for (Variable* v : const_cast<Model&>(model).trainable_weights()) {
    if (!v->regularizer) continue;
    v->regularizer->check_shape(v->value.shape());
    weights_.push_back(v);
  }
  std::vector<const Layer*> all;
  collect_layers(model, all);
  for (const Layer* layer : all)
    if (layer->activity_regularizer()) layers_.push_back(layer);
}

void Penalties::after_step(bool training, std::int64_t batch, Tensor& tracker) {
  const std::uint32_t step = Tape::latest_step();
  STRATA_CHECK(!training || step == model_.last_training_step(), StateError,
               "Penalties::after_step(training) must follow the model's training step on the same thread");
  Backend& backend = tracker.backend();
  reuse_or_allocate(total_, backend, Shape{1});
  backend.fill(total_, 0.f);
  for (Variable* v : weights_) {
    Tensor* grad = nullptr;
    if (training) {
      if (v->grad_step != step) {
        backend.fill(v->grad, 0.f);
        v->grad_step = step;
      }
      grad = &v->grad;
    }
    v->regularizer->add_penalty(v->value, 1.f, total_, grad);
  }
  for (const Layer* layer : layers_)
    if (const Tensor* penalty = layer->activity_penalty(step)) backend.add(total_, *penalty, total_);
  // tracker += [total * batch, batch], as Keras's loss tracker weighs each batch by its size.
  const auto weight = static_cast<float>(batch);
  reuse_or_allocate(pair_, backend, Shape{2});
  backend.fill(pair_, weight);
  backend.scale(total_, weight);
  backend.slice_assign(total_, 0, 0, pair_);
  backend.add(tracker, pair_, tracker);
}

void apply_constraints(const std::vector<Variable*>& variables) {
  for (Variable* v : variables)
    if (v->constraint) v->constraint->apply(v->value);
}

}  // namespace strata::detail
