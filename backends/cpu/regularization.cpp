// Regularizer penalties and weight constraints (see Backend::regularize and Backend::constrain).
// L1L2 is one pass over the weight (sums in double); the orthogonal penalty stages the
// normalised vectors contiguously and their dot products in per-thread scratch that grows to the
// largest weight seen, so a training step allocates nothing once the first has run.

#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

// The derivative of |x| as jax takes it (Keras's gradients are jax's): 1 for x >= 0, 0
// included, -1 below; NaN stays NaN.
inline float abs_slope(float x) { return x >= 0.f ? 1.f : x < 0.f ? -1.f : x; }

constexpr float kMaxInverseNorm = 1e7f;  // Keras's normalize clamps 1 / |v| at 1 / epsilon

// jnp.clip: min(max(x, lo), hi), NaN kept (and hi wins when lo > hi).
inline float clip_to(float x, float lo, float hi) { return x != x ? x : std::min(std::max(x, lo), hi); }

STRATA_ISA_CLONES
void l1_l2_grad_kernel(const float* __restrict x, float* __restrict g, float l1, float l2, float scale, Index b,
                       Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    float d = 0.f;
    if (l1 != 0.f) d += l1 * abs_slope(x[i]);
    if (l2 != 0.f) d += 2.f * l2 * x[i];
    g[i] += scale * d;
  }
}

double l1_l2_penalty(const float* x, Index n, float l1, float l2) {
  double absolute = 0.0, squares = 0.0;
#pragma omp parallel for reduction(+ : absolute, squares) if (n >= kSerialCheap && !omp_in_parallel())
  for (Index i = 0; i < n; ++i) {
    const double v = x[i];
    absolute += std::abs(v);
    squares += v * v;
  }
  double penalty = 0.0;
  if (l1 != 0.f) penalty += double(l1) * absolute;
  if (l2 != 0.f) penalty += double(l2) * squares;
  return penalty;
}

struct OrthogonalScratch {
  std::vector<float> u;        // (n, m): the normalised vectors, one per row
  std::vector<float> inverse;  // (n): min(1 / |v_i|, 1e7)
  std::vector<float> squares;  // (n): |v_i|^2
  std::vector<float> product;  // (n, n): u_i . u_j
};

double orthogonal(const float* x, Index r, Index c, const RegularizerParams& p, float scale, float* grad) {
  thread_local OrthogonalScratch s;
  const Index n = p.rows ? r : c, m = p.rows ? c : r;
  const Index step_i = p.rows ? c : 1, step_k = p.rows ? 1 : c;
  s.u.resize(static_cast<std::size_t>(n * m));
  s.inverse.resize(static_cast<std::size_t>(n));
  s.squares.resize(static_cast<std::size_t>(n));
  s.product.resize(static_cast<std::size_t>(n * n));
  float* u = s.u.data();
  float* inverse = s.inverse.data();
  float* squares = s.squares.data();
  float* product = s.product.data();
  const bool parallel = n * n * m >= kSerialHeavy && !omp_in_parallel();
#pragma omp parallel for if (parallel)
  for (Index i = 0; i < n; ++i) {
    double sum = 0.0;
    for (Index k = 0; k < m; ++k) sum += double(x[i * step_i + k * step_k]) * x[i * step_i + k * step_k];
    squares[i] = static_cast<float>(sum);
    inverse[i] = std::min(1.f / std::sqrt(squares[i]), kMaxInverseNorm);
    for (Index k = 0; k < m; ++k) u[i * m + k] = x[i * step_i + k * step_k] * inverse[i];
  }
  double absolute_sum = 0.0;
#pragma omp parallel for reduction(+ : absolute_sum) if (parallel)
  for (Index i = 0; i < n; ++i) {
    const float* ui = u + i * m;
    for (Index j = 0; j < n; ++j) {
      const float* uj = u + j * m;
      float dot = 0.f;
#pragma omp simd reduction(+ : dot)
      for (Index k = 0; k < m; ++k) dot += ui[k] * uj[k];
      product[i * n + j] = i == j ? 0.f : dot;
      absolute_sum += std::abs(double(product[i * n + j]));
    }
  }
  const double pairs = double(n) * (double(n) - 1.0) / 2.0;
  if (grad) {
    const auto twice_k = static_cast<float>(2.0 * double(p.factor) * 0.5 / pairs);
#pragma omp parallel for if (parallel)
    for (Index i = 0; i < n; ++i) {
      thread_local std::vector<float> du;
      du.assign(static_cast<std::size_t>(m), 0.f);
      for (Index j = 0; j < n; ++j) {
        if (j == i) continue;
        const float slope = abs_slope(product[i * n + j]);
        const float* uj = u + j * m;
#pragma omp simd
        for (Index k = 0; k < m; ++k) du[k] += slope * uj[k];
      }
      const float* ui = u + i * m;
      float along = 0.f;
      for (Index k = 0; k < m; ++k) {
        du[k] *= twice_k;
        along += ui[k] * du[k];
      }
      const bool clamped = !(inverse[i] < kMaxInverseNorm);
      // jax's derivative of the clamped 1 / sqrt(s) is 0 times rsqrt's -0.5 / (s sqrt(s)): NaN
      // where that overflows (s = 0 included).
      const float rsqrt_slope = 1.f / (squares[i] * std::sqrt(squares[i]));
      const float clamped_scale = std::isfinite(rsqrt_slope) ? kMaxInverseNorm : std::nanf("");
      for (Index k = 0; k < m; ++k) {
        const float dv = clamped ? clamped_scale * du[k] : inverse[i] * (du[k] - ui[k] * along);
        grad[i * step_i + k * step_k] += scale * dv;
      }
    }
  }
  return double(p.factor) * 0.5 * absolute_sum / pairs;
}

}  // namespace

void CpuBackend::regularize(const Tensor& x, const RegularizerParams& p, float scale, Tensor& total, Tensor* grad) {
  const float* px = f32(x);
  float* g = grad ? f32(*grad) : nullptr;
  double penalty = 0.0;
  if (p.kind == RegularizerKind::Orthogonal) {
    penalty = orthogonal(px, x.shape()[0], x.shape()[1], p, scale, g);
  } else {
    penalty = l1_l2_penalty(px, x.size(), p.l1, p.l2);
    if (g)
      parallel_range(x.size(), kSerialCheap,
                     [&](Index b, Index e) { l1_l2_grad_kernel(px, g, p.l1, p.l2, scale, b, e); });
  }
  float* sum = f32(total);
  sum[0] = static_cast<float>(sum[0] + double(scale) * penalty);
}

void CpuBackend::constrain(Tensor& w, const ConstraintParams& p) {
  float* values = f32(w);
  const Index size = w.size();
  if (p.kind == ConstraintKind::NonNeg) {
    parallel_range(size, kSerialCheap, [&](Index b, Index e) {
      for (Index i = b; i < e; ++i) values[i] = values[i] >= 0.f || values[i] != values[i] ? values[i] : 0.f;
    });
    return;
  }
  // Each element's norm is found by its position among the kept axes. A constraint runs once
  // per step on a weight, so one plain pass suffices.
  const Shape& shape = w.shape();
  const std::size_t rank = shape.rank();
  std::vector<Index> kept_stride(rank, 0);
  Index norms_count = 1;
  for (std::size_t a = rank; a-- > 0;) {
    if (p.axes & (1u << a)) continue;
    kept_stride[a] = norms_count;
    norms_count *= shape[a];
  }
  thread_local std::vector<double> ratio;
  thread_local std::vector<Index> norm_index;
  ratio.assign(static_cast<std::size_t>(norms_count), 0.0);
  norm_index.resize(static_cast<std::size_t>(size));
  thread_local std::vector<Index> index;
  index.assign(rank, 0);
  for (Index e = 0; e < size; ++e) {
    Index at = 0;
    for (std::size_t a = 0; a < rank; ++a) at += index[a] * kept_stride[a];
    norm_index[e] = at;
    ratio[at] += double(values[e]) * values[e];
    for (std::size_t a = rank; a-- > 0;) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  constexpr float epsilon = 1e-7f;
  for (double& r : ratio) {
    const float norm = std::sqrt(static_cast<float>(r));
    switch (p.kind) {
      case ConstraintKind::MaxNorm: r = clip_to(norm, 0.f, p.max_value) / (epsilon + norm); break;
      case ConstraintKind::MinMaxNorm:
        r = (p.rate * clip_to(norm, p.min_value, p.max_value) + (1.f - p.rate) * norm) / (epsilon + norm);
        break;
      default: r = 1.0 / (epsilon + norm); break;  // UnitNorm
    }
  }
  for (Index e = 0; e < size; ++e) values[e] = static_cast<float>(values[e] * ratio[norm_index[e]]);
}

}  // namespace strata::backends
