// Fused optimizer updates: one pass over each variable, in place, Keras's formulas (see the
// *Params structs in backend.hpp). Matrices are split between threads by whole rows with
// row_split, as split-K dense_forward splits them, so each thread writes the weights its core
// already holds. Updates with a square root stage the denominators of a
// 512-element block in an L1-resident buffer, where inv_sqrt_plus_inplace turns them into
// 1 / (sqrt + eps) with vector instructions (GCC will not vectorise std::sqrt without
// -fno-math-errno, and vsqrtps + vdivps throughput would bound Adam anyway).

#include <algorithm>
#include <cmath>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

STRATA_ISA_CLONES
void sgd_kernel(float* __restrict w, const float* __restrict g, float* __restrict v, float lr, float momentum,
                bool nesterov, Index b, Index e) {
  if (!v) {
#pragma omp simd
    for (Index i = b; i < e; ++i) w[i] -= lr * g[i];
  } else if (nesterov) {
#pragma omp simd
    for (Index i = b; i < e; ++i) {
      const float vi = momentum * v[i] - lr * g[i];
      v[i] = vi;
      w[i] += momentum * vi - lr * g[i];
    }
  } else {
#pragma omp simd
    for (Index i = b; i < e; ++i) {
      const float vi = momentum * v[i] - lr * g[i];
      v[i] = vi;
      w[i] += vi;
    }
  }
}

STRATA_ISA_CLONES
void adam_kernel(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v,
                 float* __restrict v_hat, float one_minus_b1, float one_minus_b2, float alpha, float eps, Index b,
                 Index e) {
  alignas(64) float d[kSqrtBlock];
  for (Index b0 = b; b0 < e; b0 += kSqrtBlock) {
    const Index n = std::min(kSqrtBlock, e - b0);
    float* wb = w + b0;
    const float* gb = g + b0;
    float* mb = m + b0;
    float* vb = v + b0;
    if (v_hat) {
      float* hb = v_hat + b0;
#pragma omp simd
      for (Index i = 0; i < n; ++i) {
        const float gi = gb[i];
        mb[i] += (gi - mb[i]) * one_minus_b1;
        vb[i] += (gi * gi - vb[i]) * one_minus_b2;
        hb[i] = vb[i] != vb[i] || hb[i] < vb[i] ? vb[i] : hb[i];  // a NaN v is kept, as jnp.maximum does
        d[i] = hb[i];
      }
    } else {
#pragma omp simd
      for (Index i = 0; i < n; ++i) {
        const float gi = gb[i];
        mb[i] += (gi - mb[i]) * one_minus_b1;
        vb[i] += (gi * gi - vb[i]) * one_minus_b2;
        d[i] = vb[i];
      }
    }
    inv_sqrt_plus_inplace(d, n, eps);
#pragma omp simd
    for (Index i = 0; i < n; ++i) wb[i] -= (mb[i] * alpha) * d[i];
  }
}

STRATA_ISA_CLONES
void rmsprop_kernel(float* __restrict w, const float* __restrict g, float* __restrict vel, float* __restrict mom,
                    float* __restrict avg, float lr, float rho, float one_minus_rho, float momentum, float eps, Index b,
                    Index e) {
  alignas(64) float d[kSqrtBlock];
  for (Index b0 = b; b0 < e; b0 += kSqrtBlock) {
    const Index n = std::min(kSqrtBlock, e - b0);
    float* wb = w + b0;
    const float* gb = g + b0;
    float* vb = vel + b0;
    if (avg) {
      float* ab = avg + b0;
#pragma omp simd
      for (Index i = 0; i < n; ++i) {
        const float gi = gb[i];
        vb[i] = rho * vb[i] + one_minus_rho * (gi * gi);
        ab[i] = rho * ab[i] + one_minus_rho * gi;
        d[i] = vb[i] - ab[i] * ab[i] + eps;
      }
    } else {
#pragma omp simd
      for (Index i = 0; i < n; ++i) {
        const float gi = gb[i];
        vb[i] = rho * vb[i] + one_minus_rho * (gi * gi);
        d[i] = vb[i] + eps;
      }
    }
    inv_sqrt_plus_inplace(d, n, 0.f);
    if (mom) {
      float* mb = mom + b0;
#pragma omp simd
      for (Index i = 0; i < n; ++i) {
        mb[i] = momentum * mb[i] + lr * gb[i] * d[i];
        wb[i] -= mb[i];
      }
    } else {
#pragma omp simd
      for (Index i = 0; i < n; ++i) wb[i] -= lr * gb[i] * d[i];
    }
  }
}

STRATA_ISA_CLONES
void adagrad_kernel(float* __restrict w, const float* __restrict g, float* __restrict acc, float lr, float eps, Index b,
                    Index e) {
  alignas(64) float d[kSqrtBlock];
  for (Index b0 = b; b0 < e; b0 += kSqrtBlock) {
    const Index n = std::min(kSqrtBlock, e - b0);
    float* wb = w + b0;
    const float* gb = g + b0;
    float* ab = acc + b0;
#pragma omp simd
    for (Index i = 0; i < n; ++i) {
      ab[i] += gb[i] * gb[i];
      d[i] = ab[i] + eps;
    }
    inv_sqrt_plus_inplace(d, n, 0.f);
#pragma omp simd
    for (Index i = 0; i < n; ++i) wb[i] -= lr * gb[i] * d[i];
  }
}

}  // namespace

void CpuBackend::sgd_update(Tensor& w, const Tensor& g, Tensor* velocity, const SGDParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pv = velocity && p.momentum != 0.f ? f32(*velocity) : nullptr;
  parallel_rows(w, kSerialHeavy,
                [&](Index b, Index e) { sgd_kernel(pw, pg, pv, p.learning_rate, p.momentum, p.nesterov, b, e); });
}

void CpuBackend::adam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, Tensor* v_hat, const AdamParams& p) {
  const double t = static_cast<double>(p.step);
  const float alpha = static_cast<float>(p.learning_rate * std::sqrt(1.0 - std::pow(double{p.beta_2}, t)) /
                                         (1.0 - std::pow(double{p.beta_1}, t)));
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pm = f32(m);
  float* pv = f32(v);
  float* ph = p.amsgrad && v_hat ? f32(*v_hat) : nullptr;
  // 1 - beta in double, then rounded, as Keras computes it (1 - 0.999f would be 0.00099998713).
  const auto one_minus_b1 = static_cast<float>(1.0 - p.beta_1);
  const auto one_minus_b2 = static_cast<float>(1.0 - p.beta_2);
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) {
    adam_kernel(pw, pg, pm, pv, ph, one_minus_b1, one_minus_b2, alpha, p.epsilon, b, e);
  });
}

void CpuBackend::rmsprop_update(Tensor& w, const Tensor& g, Tensor& velocity, Tensor* momentum, Tensor* average_grad,
                                const RMSpropParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pv = f32(velocity);
  float* pm = momentum && p.momentum > 0.f ? f32(*momentum) : nullptr;
  float* pa = average_grad && p.centered ? f32(*average_grad) : nullptr;
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) {
    rmsprop_kernel(pw, pg, pv, pm, pa, p.learning_rate, static_cast<float>(p.rho), static_cast<float>(1.0 - p.rho),
                   p.momentum, p.epsilon, b, e);
  });
}

void CpuBackend::adagrad_update(Tensor& w, const Tensor& g, Tensor& accumulator, const AdagradParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pa = f32(accumulator);
  parallel_rows(w, kSerialHeavy,
                [&](Index b, Index e) { adagrad_kernel(pw, pg, pa, p.learning_rate, p.epsilon, b, e); });
}

}  // namespace strata::backends
