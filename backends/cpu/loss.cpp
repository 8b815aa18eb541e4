// The fused losses: per-sample values and, in the same pass, the gradient of
// grad_scale * sum(values) with respect to y_pred (see LossKind / LossParams in backend.hpp).
// Rows are samples along the last axis; a batch-sized loss runs on the calling thread.

#include <algorithm>
#include <atomic>
#include <cmath>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "strata/error.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

constexpr float kEps = 1e-7f;  // Keras's backend.epsilon()

struct Rows {
  const LossParams* p;
  const float* yt;
  const float* yp;
  float* values;
  float* grad;  // may be null
  Index c;      // classes (last axis)
};

float sign(float e) { return e > 0.f ? 1.f : (e < 0.f ? -1.f : 0.f); }

void regression_rows(const Rows& a, Index r0, Index r1) {
  const LossParams& p = *a.p;
  const Index c = a.c;
  const float inv_c = 1.f / static_cast<float>(c);
  const float gk = p.grad_scale * inv_c;
  for (Index r = r0; r < r1; ++r) {
    const float* y = a.yt + r * c;
    const float* q = a.yp + r * c;
    float* g = a.grad ? a.grad + r * c : nullptr;
    float sum = 0.f;
    switch (p.kind) {
      case LossKind::MeanSquaredError:
        for (Index j = 0; j < c; ++j) {
          const float e = q[j] - y[j];
          sum += e * e;
          if (g) g[j] = gk * 2.f * e;
        }
        break;
      case LossKind::MeanAbsoluteError:
        for (Index j = 0; j < c; ++j) {
          const float e = q[j] - y[j];
          sum += std::fabs(e);
          if (g) g[j] = gk * sign(e);
        }
        break;
      default: {  // Huber
        const float d = p.delta;
        for (Index j = 0; j < c; ++j) {
          const float e = q[j] - y[j];
          const float ae = std::fabs(e);
          const bool quadratic = ae <= d;
          sum += quadratic ? 0.5f * e * e : d * (ae - 0.5f * d);
          if (g) g[j] = gk * (quadratic ? e : d * sign(e));
        }
        break;
      }
    }
    a.values[r] = sum * inv_c;
  }
}

void binary_rows(const Rows& a, Index r0, Index r1) {
  const LossParams& p = *a.p;
  const Index c = a.c;
  const float inv_c = 1.f / static_cast<float>(c);
  const float gk = p.grad_scale * inv_c;
  const float s = p.label_smoothing;
  for (Index r = r0; r < r1; ++r) {
    const float* yr = a.yt + r * c;
    const float* q = a.yp + r * c;
    float* g = a.grad ? a.grad + r * c : nullptr;
    float sum = 0.f;
    for (Index j = 0; j < c; ++j) {
      const float y = s > 0.f ? yr[j] * (1.f - s) + 0.5f * s : yr[j];
      const float x = q[j];
      if (p.from_logits) {
        // max(x, 0) - x y + log(1 + e^-|x|), the stable form of the sigmoid crossentropy.
        sum += std::max(x, 0.f) - x * y + std::log1p(std::exp(-std::fabs(x)));
        if (g) {
          const float z = std::exp(-std::fabs(x));
          const float sig = x >= 0.f ? 1.f / (1.f + z) : z / (1.f + z);
          g[j] = gk * (sig - y);
        }
      } else {
        const bool clipped = x < kEps || x > 1.f - kEps;
        const float pc = std::min(std::max(x, kEps), 1.f - kEps);
        sum += -(y * std::log(pc) + (1.f - y) * std::log(1.f - pc));
        if (g) g[j] = clipped ? 0.f : gk * ((1.f - y) / (1.f - pc) - y / pc);
      }
    }
    a.values[r] = sum * inv_c;
  }
}

// Categorical crossentropy over one row with targets target(j) (already smoothed).
template <class Target>
float categorical_row(const LossParams& p, const float* q, Index c, float* g, Target target) {
  if (p.from_logits) {
    float mx = q[0];
    for (Index j = 1; j < c; ++j) mx = std::max(mx, q[j]);
    float se = 0.f;
    for (Index j = 0; j < c; ++j) {
      const float e = std::exp(q[j] - mx);
      se += e;
      if (g) g[j] = e;  // staged until the sum is known
    }
    const float lse = mx + std::log(se);
    // Every term counts, zero targets too: 0 * inf (a logit of -inf) is NaN, as in Keras.
    float value = 0.f, ysum = 0.f;
    for (Index j = 0; j < c; ++j) {
      const float y = target(j);
      value += y * (lse - q[j]);
      ysum += y;
    }
    if (g) {
      const float k = ysum / se;
      for (Index j = 0; j < c; ++j) g[j] = p.grad_scale * (g[j] * k - target(j));
    }
    return value;
  }
  // Probabilities: q = p / sum(p), clipped to [eps, 1 - eps]; the gradient goes through both.
  float total = 0.f;
  for (Index j = 0; j < c; ++j) total += q[j];
  // The value has a loop of its own, so that it is the same bits with or without a gradient.
  float value = 0.f;
  for (Index j = 0; j < c; ++j)
    value -= target(j) * std::log(std::min(std::max(q[j] / total, kEps), 1.f - kEps));  // NaN stays NaN
  if (g) {
    float gq_dot_q = 0.f;
    for (Index j = 0; j < c; ++j) {
      // d value / d qn, zero where clipped; staged in g until the dot product is known.
      const float qn = q[j] / total;
      const float gq = (qn < kEps || qn > 1.f - kEps) ? 0.f : -target(j) / qn;
      g[j] = gq;
      gq_dot_q += gq * qn;
    }
    const float k = p.grad_scale / total;
    for (Index j = 0; j < c; ++j) g[j] = k * (g[j] - gq_dot_q);
  }
  return value;
}

void categorical_rows(const Rows& a, Index r0, Index r1) {
  const LossParams& p = *a.p;
  const Index c = a.c;
  const float s = p.label_smoothing;
  const float off = s / static_cast<float>(c);
  for (Index r = r0; r < r1; ++r) {
    const float* y = a.yt + r * c;
    float* g = a.grad ? a.grad + r * c : nullptr;
    a.values[r] = s > 0.f ? categorical_row(p, a.yp + r * c, c, g, [&](Index j) { return y[j] * (1.f - s) + off; })
                          : categorical_row(p, a.yp + r * c, c, g, [&](Index j) { return y[j]; });
  }
}

void sparse_rows(const Rows& a, Index r0, Index r1, std::atomic<Index>& bad_row) {
  const LossParams& p = *a.p;
  const Index c = a.c;
  const float s = p.label_smoothing;
  const float off = s / static_cast<float>(c);
  const float on = 1.f - s + off;
  for (Index r = r0; r < r1; ++r) {
    const float label = a.yt[r];
    float* g = a.grad ? a.grad + r * c : nullptr;
    if (!(label >= 0.f && label < static_cast<float>(c) && label == std::floor(label))) {
      Index none = -1;
      bad_row.compare_exchange_strong(none, r);
      a.values[r] = 0.f;
      if (g) std::fill(g, g + c, 0.f);
      continue;
    }
    const Index l = static_cast<Index>(label);
    a.values[r] = categorical_row(p, a.yp + r * c, c, g, [&](Index j) { return j == l ? on : off; });
  }
}

}  // namespace

void CpuBackend::loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred, Tensor& values, Tensor* grad) {
  const Index c = y_pred.shape().rank() > 0 ? y_pred.shape()[-1] : 1;
  const Index rows = c > 0 ? y_pred.size() / c : 0;
  if (rows == 0) return;
  const Rows a{&p, f32(y_true), f32(y_pred), f32(values), grad ? f32(*grad) : nullptr, c};
  std::atomic<Index> bad_row{-1};
  const Index grain = std::max<Index>(1, kSerialRows / c);
  parallel_range(rows, grain, [&](Index r0, Index r1) {
    switch (p.kind) {
      case LossKind::MeanSquaredError:
      case LossKind::MeanAbsoluteError:
      case LossKind::Huber: regression_rows(a, r0, r1); break;
      case LossKind::BinaryCrossentropy: binary_rows(a, r0, r1); break;
      case LossKind::CategoricalCrossentropy: categorical_rows(a, r0, r1); break;
      case LossKind::SparseCategoricalCrossentropy: sparse_rows(a, r0, r1, bad_row); break;
    }
  });
  if (const Index r = bad_row.load(); r >= 0) {
    throw ValueError(
        detail::concat("Received a label value of ", a.yt[r], " which is outside the valid range of [0, ", c, ")."));
  }
}

}  // namespace strata::backends
