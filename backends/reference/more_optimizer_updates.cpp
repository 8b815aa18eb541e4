// Nadam, Adamax, Adadelta, Lion, Ftrl, Adafactor and the EMA of the weights, following Keras 3's
// update_step line by line (keras/src/optimizers/*.py). As in optimizer_updates.cpp, each
// slot's new value is rounded to f32 when Keras assigns it, and the arithmetic between
// assignments runs in double.

#include <cassert>
#include <cmath>
#include <limits>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {
double store(float& slot, double value) {
  slot = static_cast<float>(value);
  return slot;
}

// jnp.sign: -1, 0 or 1, NaN for NaN.
double sign(double x) {
  if (std::isnan(x)) return x;
  return (x > 0) - (x < 0);
}
}  // namespace

void ReferenceBackend::nadam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const NadamParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto first = reference::values_of(m);
  auto second = reference::values_of(v);
  assert(weights.size() == grads.size() && first.size() == grads.size() && second.size() == grads.size());
  const double m_coef = double{p.u_t_1} / (1.0 - p.u_product_t_1);
  const double g_coef = (1.0 - p.u_t) / (1.0 - p.u_product_t);
  const double v_coef = 1.0 / (1.0 - p.beta_2_power);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    const double mi = store(first[i], first[i] + (gi - first[i]) * p.one_minus_beta_1);
    const double vi = store(second[i], second[i] + (gi * gi - second[i]) * p.one_minus_beta_2);
    const double m_hat = m_coef * mi + g_coef * gi;
    const double v_hat = vi * v_coef;
    weights[i] = static_cast<float>(weights[i] - m_hat * p.learning_rate / (std::sqrt(v_hat) + p.epsilon));
  }
}

void ReferenceBackend::adamax_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& u, const AdamaxParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto first = reference::values_of(m);
  auto norm = reference::values_of(u);
  assert(weights.size() == grads.size() && first.size() == grads.size() && norm.size() == grads.size());
  const double one_minus_b1 = 1.0 - p.beta_1;
  const double correction = 1.0 - p.beta_1_power;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    const double mi = store(first[i], first[i] + (gi - first[i]) * one_minus_b1);
    const double decayed = p.beta_2 * norm[i];
    const double a = std::abs(gi);
    // jnp.maximum keeps a NaN from either side.
    const double ui = store(norm[i], std::isnan(decayed) || std::isnan(a) ? std::numeric_limits<double>::quiet_NaN()
                                                                          : std::max(decayed, a));
    weights[i] = static_cast<float>(weights[i] - p.learning_rate * mi / (correction * (ui + p.epsilon)));
  }
}

void ReferenceBackend::adadelta_update(Tensor& w, const Tensor& g, Tensor& accumulated_grad, Tensor& accumulated_delta,
                                       const AdadeltaParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto acc_g = reference::values_of(accumulated_grad);
  auto acc_d = reference::values_of(accumulated_delta);
  assert(weights.size() == grads.size() && acc_g.size() == grads.size() && acc_d.size() == grads.size());
  const double rho = p.rho, eps = p.epsilon;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    const double ag = store(acc_g[i], rho * acc_g[i] + (1.0 - rho) * gi * gi);
    const double delta = -(std::sqrt(acc_d[i] + eps) * gi) / std::sqrt(ag + eps);
    store(acc_d[i], rho * acc_d[i] + (1.0 - rho) * delta * delta);
    weights[i] = static_cast<float>(weights[i] + p.learning_rate * delta);
  }
}

void ReferenceBackend::lion_update(Tensor& w, const Tensor& g, Tensor& m, const LionParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto momentum = reference::values_of(m);
  assert(weights.size() == grads.size() && momentum.size() == grads.size());
  const double b1 = p.beta_1, b2 = p.beta_2;
  const double one_minus_b1 = 1.f - p.beta_1, one_minus_b2 = 1.f - p.beta_2;  // float32, as Keras
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i];
    weights[i] = static_cast<float>(weights[i] - p.learning_rate * sign(momentum[i] * b1 + gi * one_minus_b1));
    store(momentum[i], momentum[i] * b2 + gi * one_minus_b2);
  }
}

void ReferenceBackend::ftrl_update(Tensor& w, const Tensor& g, Tensor& accumulator, Tensor& linear,
                                   const FtrlParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto acc = reference::values_of(accumulator);
  auto lin = reference::values_of(linear);
  assert(weights.size() == grads.size() && acc.size() == grads.size() && lin.size() == grads.size());
  const double lr = p.learning_rate, power = -double{p.learning_rate_power}, l1 = p.l1;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double gi = grads[i], wi = weights[i];
    const double shrunk = gi + 2.0 * p.l2_shrinkage * wi;
    const double new_acc = acc[i] + gi * gi;
    const double new_acc_power = std::pow(new_acc, power);
    const double z = store(lin[i], lin[i] + shrunk - (new_acc_power - std::pow(double{acc[i]}, power)) / lr * wi);
    const double quadratic = new_acc_power / lr + 2.0 * p.l2;
    const double clipped = std::isnan(z) ? z : std::clamp(z, -l1, l1);
    weights[i] = static_cast<float>((clipped - z) / quadratic);
    acc[i] = static_cast<float>(new_acc);
  }
}

void ReferenceBackend::adafactor_update(Tensor& w, const Tensor& g, Tensor* r, Tensor* c, Tensor& v,
                                        const AdafactorParams& p) {
  auto weights = reference::values_of(w);
  const auto grads = reference::values_of(g);
  auto second = reference::values_of(v);
  assert(weights.size() == grads.size() && second.size() == grads.size());
  const std::size_t n = weights.size();
  const double beta = p.beta_2_t, one_minus_beta = 1.f - p.beta_2_t, eps1 = p.epsilon_1;
  double sum_w2 = 0;
  for (float x : weights) sum_w2 += double{x} * x;
  const double alpha = std::max(double{p.epsilon_2}, std::sqrt(sum_w2 / static_cast<double>(n))) * p.rho_t;

  if (r != nullptr) {
    assert(c != nullptr && w.shape().rank() >= 2);
    const auto rank = w.shape().rank();
    const auto rows = static_cast<std::size_t>(w.shape()[rank - 2]);
    const auto cols = static_cast<std::size_t>(w.shape()[rank - 1]);
    const std::size_t batches = n / (rows * cols);
    auto rv = reference::values_of(*r);
    auto cv = reference::values_of(*c);
    assert(rv.size() == batches * rows && cv.size() == batches * cols);
    for (std::size_t b = 0; b < batches; ++b) {
      const float* gb = grads.data() + b * rows * cols;
      double r_sum = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < cols; ++j) s += double{gb[i * cols + j]} * gb[i * cols + j] + eps1;
        r_sum += store(rv[b * rows + i], beta * rv[b * rows + i] + one_minus_beta * (s / static_cast<double>(cols)));
      }
      for (std::size_t j = 0; j < cols; ++j) {
        double s = 0;
        for (std::size_t i = 0; i < rows; ++i) s += double{gb[i * cols + j]} * gb[i * cols + j] + eps1;
        store(cv[b * cols + j], beta * cv[b * cols + j] + one_minus_beta * (s / static_cast<double>(rows)));
      }
      const double r_mean = r_sum / static_cast<double>(rows);
      for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j)
          store(second[b * rows * cols + i * cols + j], rv[b * rows + i] / r_mean * cv[b * cols + j]);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const double gi = grads[i];
      store(second[i], beta * second[i] + one_minus_beta * (gi * gi + eps1));
    }
  }

  double sum_u2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = grads[i] / std::sqrt(double{second[i]});
    sum_u2 += u * u;
  }
  const double rms_u = std::sqrt(sum_u2 / static_cast<double>(n));
  // jnp.maximum keeps a NaN rms, so a NaN anywhere reaches every weight.
  const double divisor = std::isnan(rms_u) ? rms_u : std::max(1.0, rms_u / p.clip_threshold);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = grads[i] / std::sqrt(double{second[i]});
    weights[i] = static_cast<float>(weights[i] - alpha * (u / divisor));
  }
}

void ReferenceBackend::ema_update(Tensor& average, const Tensor& variable, float momentum) {
  auto avg = reference::values_of(average);
  const auto values = reference::values_of(variable);
  assert(avg.size() == values.size());
  const double m = momentum, one_minus_m = 1.f - momentum;
  for (std::size_t i = 0; i < avg.size(); ++i) avg[i] = static_cast<float>(m * avg[i] + one_minus_m * values[i]);
}

}  // namespace strata::backends
