// Regularizer penalties and weight constraints (see Backend::regularize and Backend::constrain),
// written as the formulas read: every sum in double, the results rounded to f32 once.

#include <cmath>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// The derivative of |x| as jax takes it (Keras's gradients are jax's): 1 for x >= 0, 0
// included, -1 below; NaN stays NaN.
double abs_slope(double x) {
  if (x >= 0) return 1.0;
  if (x < 0) return -1.0;
  return x;
}

// Whether jax's derivative of the clamped 1 / sqrt(s) is NaN: rsqrt's derivative, -0.5 / (s
// sqrt(s)), overflows f32 (s = 0 included) and the clamp's zero multiplies it.
bool clamped_slope_is_nan(double s) { return !std::isfinite(static_cast<float>(1.0 / (s * std::sqrt(s)))); }

// jnp.clip: min(max(x, lo), hi), NaN kept (and hi wins when lo > hi).
double clip_to(double x, double lo, double hi) { return std::isnan(x) ? x : std::min(std::max(x, lo), hi); }

// Keras's normalize clamps 1 / |v| at 1 / epsilon, epsilon = 1e-7.
constexpr double kMaxInverseNorm = 1e7;

void orthogonal(std::span<const float> x, const Shape& shape, const RegularizerParams& p, double scale, double& total,
                std::span<float> grad) {
  const auto r = static_cast<std::size_t>(shape[0]), c = static_cast<std::size_t>(shape[1]);
  // Vector i, element k is x[i * step_i + k * step_k].
  const std::size_t n = p.rows ? r : c, m = p.rows ? c : r;
  const std::size_t step_i = p.rows ? c : 1, step_k = p.rows ? 1 : c;
  std::vector<double> u(n * m), inverse(n), squares(n);
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (std::size_t k = 0; k < m; ++k) s += double(x[i * step_i + k * step_k]) * x[i * step_i + k * step_k];
    squares[i] = s;
    inverse[i] = std::min(1.0 / std::sqrt(s), kMaxInverseNorm);
    for (std::size_t k = 0; k < m; ++k) u[i * m + k] = x[i * step_i + k * step_k] * inverse[i];
  }
  const double pairs = double(n) * (double(n) - 1.0) / 2.0;
  const double k_factor = double(p.factor) * 0.5 / pairs;
  std::vector<double> product(n * n, 0.0);
  double absolute_sum = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      double dot = 0.0;
      for (std::size_t k = 0; k < m; ++k) dot += u[i * m + k] * u[j * m + k];
      product[i * n + j] = dot;
      absolute_sum += std::abs(dot);
    }
  total += scale * double(p.factor) * 0.5 * absolute_sum / pairs;
  if (grad.empty()) return;
  std::vector<double> du(m);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < m; ++k) {
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j)
        if (j != i) sum += abs_slope(product[i * n + j]) * u[j * m + k];
      du[k] = 2.0 * k_factor * sum;
    }
    double along = 0.0;
    for (std::size_t k = 0; k < m; ++k) along += u[i * m + k] * du[k];
    const bool clamped = !(inverse[i] < kMaxInverseNorm);
    const double clamped_scale = clamped_slope_is_nan(squares[i]) ? std::nan("") : kMaxInverseNorm;
    for (std::size_t k = 0; k < m; ++k) {
      const double dv = clamped ? clamped_scale * du[k] : inverse[i] * (du[k] - u[i * m + k] * along);
      float& g = grad[i * step_i + k * step_k];
      g = static_cast<float>(g + scale * dv);
    }
  }
}

}  // namespace

void ReferenceBackend::regularize(const Tensor& x, const RegularizerParams& p, float scale, Tensor& total,
                                  Tensor* grad) {
  const auto values = reference::values_of(x);
  auto sum = reference::values_of(total);
  std::span<float> gradient = grad ? reference::values_of(*grad) : std::span<float>();
  double penalty = 0.0;
  if (p.kind == RegularizerKind::Orthogonal) {
    assert(x.shape().rank() == 2);
    orthogonal(values, x.shape(), p, scale, penalty, gradient);
    sum[0] = static_cast<float>(sum[0] + penalty);
    return;
  }
  double absolute = 0.0, squares = 0.0;
  for (const float v : values) {
    absolute += std::abs(double(v));
    squares += double(v) * v;
  }
  if (p.l1 != 0.f) penalty += double(p.l1) * absolute;
  if (p.l2 != 0.f) penalty += double(p.l2) * squares;
  sum[0] = static_cast<float>(sum[0] + double(scale) * penalty);
  for (std::size_t i = 0; i < gradient.size(); ++i) {
    double d = 0.0;
    if (p.l1 != 0.f) d += double(p.l1) * abs_slope(values[i]);
    if (p.l2 != 0.f) d += 2.0 * double(p.l2) * values[i];
    gradient[i] = static_cast<float>(gradient[i] + double(scale) * d);
  }
}

void ReferenceBackend::constrain(Tensor& w, const ConstraintParams& p) {
  auto values = reference::values_of(w);
  if (p.kind == ConstraintKind::NonNeg) {
    for (float& v : values) v = std::isnan(v) || v >= 0.f ? v : 0.f;
    return;
  }
  // Each element's position among the kept axes, the index of its norm.
  const Shape& shape = w.shape();
  const std::size_t rank = shape.rank();
  std::vector<std::size_t> kept_stride(rank, 0);
  std::size_t norms_count = 1;
  for (std::size_t a = rank; a-- > 0;) {
    if (p.axes & (1u << a)) continue;
    kept_stride[a] = norms_count;
    norms_count *= static_cast<std::size_t>(shape[a]);
  }
  std::vector<std::size_t> norm_index(values.size());
  std::vector<std::int64_t> index(rank, 0);
  for (std::size_t e = 0; e < values.size(); ++e) {
    std::size_t at = 0;
    for (std::size_t a = 0; a < rank; ++a) at += static_cast<std::size_t>(index[a]) * kept_stride[a];
    norm_index[e] = at;
    for (std::size_t a = rank; a-- > 0;) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  std::vector<double> ratio(norms_count, 0.0);
  for (std::size_t e = 0; e < values.size(); ++e) ratio[norm_index[e]] += double(values[e]) * values[e];
  constexpr double epsilon = 1e-7;
  for (double& r : ratio) {
    const double norm = std::sqrt(r);
    switch (p.kind) {
      case ConstraintKind::MaxNorm: r = clip_to(norm, 0.0, double(p.max_value)) / (epsilon + norm); break;
      case ConstraintKind::MinMaxNorm:
        r = (double(p.rate) * clip_to(norm, double(p.min_value), double(p.max_value)) + (1.0 - double(p.rate)) * norm) /
            (epsilon + norm);
        break;
      default:  // UnitNorm
        r = 1.0 / (epsilon + norm);
        break;
    }
  }
  for (std::size_t e = 0; e < values.size(); ++e) values[e] = static_cast<float>(values[e] * ratio[norm_index[e]]);
}

}  // namespace strata::backends
