#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

// Every update follows Keras 3's update_step line by line (keras/src/optimizers/*.py). Keras
// assigns each slot and then reads it back, so a slot's new value is rounded to f32 before the
// next line uses it; the arithmetic between assignments runs in double.

namespace {
double store(float& slot, double value) {
  slot = static_cast<float>(value);
  return slot;
}
}  // namespace

void ReferenceBackend::sgd_update(Tensor& w, const Tensor& g, Tensor* velocity, const SGDParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  assert(weights.size() == grads.size());
  const double lr = p.learning_rate, momentum = p.momentum;
  if (momentum == 0.0) {
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<float>(weights[i] - lr * grads[i]);
    return;
  }
  assert(velocity != nullptr);
  auto vel = reference::values_of(*velocity);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double v = store(vel[i], momentum * vel[i] - lr * grads[i]);
    const double step = p.nesterov ? momentum * v - lr * grads[i] : v;
    weights[i] = static_cast<float>(weights[i] + step);
  }
}

void ReferenceBackend::adam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, Tensor* v_hat,
                                   const AdamParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto first = reference::values_of(m);
  auto second = reference::values_of(v);
  assert(weights.size() == grads.size() && first.size() == grads.size() && second.size() == grads.size());
  assert(!p.amsgrad || v_hat != nullptr);
  const double beta_1 = p.beta_1, beta_2 = p.beta_2, eps = p.epsilon;
  const double step = static_cast<double>(p.step);
  const double lr_t = p.learning_rate * std::sqrt(1.0 - std::pow(beta_2, step)) / (1.0 - std::pow(beta_1, step));
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    const double mi = store(first[i], first[i] + (gi - first[i]) * (1.0 - beta_1));
    double vi = store(second[i], second[i] + (gi * gi - second[i]) * (1.0 - beta_2));
    if (p.amsgrad) {
      auto hat = reference::values_of(*v_hat);
      // A NaN v is kept, as jnp.maximum does (std::max would keep hat).
      vi = store(hat[i], std::isnan(vi) || hat[i] < vi ? vi : static_cast<double>(hat[i]));
    }
    weights[i] = static_cast<float>(weights[i] - lr_t * mi / (std::sqrt(vi) + eps));
  }
}

void ReferenceBackend::rmsprop_update(Tensor& w, const Tensor& g, Tensor& velocity, Tensor* momentum,
                                      Tensor* average_grad, const RMSpropParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto vel = reference::values_of(velocity);
  assert(weights.size() == grads.size() && vel.size() == grads.size());
  assert(!p.centered || average_grad != nullptr);
  assert(p.momentum <= 0.f || momentum != nullptr);
  const double lr = p.learning_rate, rho = p.rho, eps = p.epsilon, mom = p.momentum;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    const double vi = store(vel[i], rho * vel[i] + (1.0 - rho) * gi * gi);
    double denominator = vi + eps;
    if (p.centered) {
      auto avg = reference::values_of(*average_grad);
      const double ai = store(avg[i], rho * avg[i] + (1.0 - rho) * gi);
      denominator = vi - ai * ai + eps;
    }
    const double increment = lr * gi / std::sqrt(denominator);
    if (mom > 0.0) {
      auto m = reference::values_of(*momentum);
      const double mi = store(m[i], mom * m[i] + increment);
      weights[i] = static_cast<float>(weights[i] - mi);
    } else {
      weights[i] = static_cast<float>(weights[i] - increment);
    }
  }
}

void ReferenceBackend::adagrad_update(Tensor& w, const Tensor& g, Tensor& accumulator, const AdagradParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto acc = reference::values_of(accumulator);
  assert(weights.size() == grads.size() && acc.size() == grads.size());
  const double lr = p.learning_rate, eps = p.epsilon;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    const double ai = store(acc[i], acc[i] + gi * gi);
    weights[i] = static_cast<float>(weights[i] - lr * gi / std::sqrt(ai + eps));
  }
}

}  // namespace strata::backends
