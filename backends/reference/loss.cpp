#include <limits>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"
#include "strata/error.hpp"

namespace strata::backends {

namespace {

using reference::sigmoid;
using reference::softplus;

// Keras clips probabilities to [epsilon, 1 - epsilon] in float32, epsilon = 1e-7; the bounds are
// computed in f32 as well so that a p sitting exactly on one is treated as Keras treats it.
constexpr float kClipLo = 1e-7f;
constexpr float kClipHi = 1.f - 1e-7f;

double sign(double v) { return static_cast<double>((v > 0) - (v < 0)); }

// Written as a test for "outside" so that NaN counts as inside: its gradient is NaN, not the 0 of
// a clipped value.
bool outside_clip(double q) { return q < kClipLo || q > kClipHi; }

double clipped(double q) { return std::min(std::max(q, static_cast<double>(kClipLo)), static_cast<double>(kClipHi)); }

// Each row function gets one sample: the (smoothed) targets y and the predictions x over the
// last axis. It returns the sample's loss and writes d loss / d x into dx.
using Row = std::span<const double>;
using GradRow = std::span<double>;

double mean_squared_error(Row y, Row x, GradRow dx) {
  const double n = static_cast<double>(x.size());
  double sum = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double e = x[j] - y[j];
    sum += e * e;
    dx[j] = 2.0 * e / n;
  }
  return sum / n;
}

double mean_absolute_error(Row y, Row x, GradRow dx) {
  const double n = static_cast<double>(x.size());
  double sum = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double e = x[j] - y[j];
    sum += std::abs(e);
    dx[j] = sign(e) / n;  // 0 at e = 0, as TF's gradient of abs
  }
  return sum / n;
}

double huber(Row y, Row x, GradRow dx, double delta) {
  const double n = static_cast<double>(x.size());
  double sum = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double e = x[j] - y[j];
    if (std::abs(e) <= delta) {
      sum += 0.5 * e * e;
      dx[j] = e / n;
    } else {
      sum += delta * (std::abs(e) - 0.5 * delta);
      dx[j] = delta * sign(e) / n;
    }
  }
  return sum / n;
}

double binary_crossentropy_logits(Row y, Row x, GradRow dx) {
  const double n = static_cast<double>(x.size());
  double sum = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    // TF's sigmoid_cross_entropy_with_logits: max(x, 0) - x y + log(1 + e^{-|x|}).
    sum += softplus(x[j]) - x[j] * y[j];
    dx[j] = (sigmoid(x[j]) - y[j]) / n;
  }
  return sum / n;
}

double binary_crossentropy_probs(Row y, Row p, GradRow dp) {
  const double n = static_cast<double>(p.size());
  double sum = 0.0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    const double q = clipped(p[j]);
    sum -= y[j] * std::log(q) + (1.0 - y[j]) * std::log(1.0 - q);
    dp[j] = outside_clip(p[j]) ? 0.0 : (-y[j] / q + (1.0 - y[j]) / (1.0 - q)) / n;
  }
  return sum / n;
}

double categorical_crossentropy_logits(Row y, Row x, GradRow dx) {
  double max = -std::numeric_limits<double>::infinity();
  for (const double v : x) max = std::max(max, v);
  double sum_exp = 0.0;
  for (const double v : x) sum_exp += std::exp(v - max);
  const double log_sum_exp = max + std::log(sum_exp);
  double loss = 0.0, y_total = 0.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    loss += y[j] * (log_sum_exp - x[j]);
    y_total += y[j];
  }
  // Exact even when y does not sum to 1: d/dx_k sum_j y_j (lse - x_j) = softmax_k sum(y) - y_k.
  for (std::size_t j = 0; j < x.size(); ++j) dx[j] = std::exp(x[j] - log_sum_exp) * y_total - y[j];
  return loss;
}

double categorical_crossentropy_probs(Row y, Row p, GradRow dp) {
  // Keras: q = p / sum(p); r = clip(q, eps, 1 - eps); loss = -sum y log r.
  double total = 0.0;
  for (const double v : p) total += v;
  std::vector<double> q(p.size()), dq(p.size());
  double loss = 0.0;
  for (std::size_t j = 0; j < p.size(); ++j) {
    q[j] = p[j] / total;
    loss -= y[j] * std::log(clipped(q[j]));
    dq[j] = outside_clip(q[j]) ? 0.0 : -y[j] / q[j];
  }
  // Through the normalisation: d q_j / d p_k = (delta_jk - q_j) / total.
  double dq_dot_q = 0.0;
  for (std::size_t j = 0; j < p.size(); ++j) dq_dot_q += dq[j] * q[j];
  for (std::size_t k = 0; k < p.size(); ++k) dp[k] = (dq[k] - dq_dot_q) / total;
  return loss;
}

std::size_t class_index(float label, std::size_t num_classes) {
  const double index = label;
  STRATA_CHECK(index >= 0 && index < static_cast<double>(num_classes) && index == std::floor(index), ValueError,
               "Received a label value of ", label, " which is outside the valid range of [0, ", num_classes, ").");
  return static_cast<std::size_t>(index);
}

}  // namespace

void ReferenceBackend::loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred, Tensor& values,
                            Tensor* grad) {
  const auto [rows, cols] = reference::rows_over_last_axis(y_pred.shape());
  const auto truth = reference::values_of(y_true);
  const auto pred = reference::values_of(y_pred);
  auto out = reference::values_of(values);
  const bool sparse = p.kind == LossKind::SparseCategoricalCrossentropy;
  assert(out.size() == rows);
  assert(truth.size() == (sparse ? rows : rows * cols));
  const double smoothing = p.label_smoothing;

  std::vector<double> y(cols), x(cols), dx(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t base = r * cols;
    for (std::size_t j = 0; j < cols; ++j) x[j] = pred[base + j];
    if (sparse) {
      std::fill(y.begin(), y.end(), 0.0);
      y[class_index(truth[r], cols)] = 1.0;
    } else {
      for (std::size_t j = 0; j < cols; ++j) y[j] = truth[base + j];
    }
    if (smoothing != 0.0) {
      // Binary labels smooth towards 0.5, categorical ones towards the uniform 1 / classes.
      const double towards = p.kind == LossKind::BinaryCrossentropy ? 0.5 : 1.0 / static_cast<double>(cols);
      const bool crossentropy =
          p.kind == LossKind::BinaryCrossentropy || p.kind == LossKind::CategoricalCrossentropy || sparse;
      if (crossentropy)
        for (double& v : y) v = v * (1.0 - smoothing) + smoothing * towards;
    }

    double value = 0.0;
    switch (p.kind) {
      case LossKind::MeanSquaredError: value = mean_squared_error(y, x, dx); break;
      case LossKind::MeanAbsoluteError: value = mean_absolute_error(y, x, dx); break;
      case LossKind::Huber: value = huber(y, x, dx, p.delta); break;
      case LossKind::BinaryCrossentropy:
        value = p.from_logits ? binary_crossentropy_logits(y, x, dx) : binary_crossentropy_probs(y, x, dx);
        break;
      case LossKind::CategoricalCrossentropy:
      case LossKind::SparseCategoricalCrossentropy:
        value = p.from_logits ? categorical_crossentropy_logits(y, x, dx) : categorical_crossentropy_probs(y, x, dx);
        break;
    }
    out[r] = static_cast<float>(value);
    if (grad != nullptr) {
      auto g = reference::values_of(*grad);
      for (std::size_t j = 0; j < cols; ++j) g[base + j] = static_cast<float>(p.grad_scale * dx[j]);
    }
  }
}

}  // namespace strata::backends
