// Nadam, Adamax, Adadelta, Lion, Ftrl, Adafactor and the EMA of the weights: one pass over each
// variable in float32 (Keras's formulas, see the *Params structs in backend.hpp), split between
// threads by whole rows as optimizer_updates.cpp does. Adafactor also reduces: the sums of
// squares it needs (rms of w and of the update, the row and column means of g^2) accumulate in
// double, so they do not drift with the tensor's size.

#include <algorithm>
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

STRATA_ISA_CLONES
void nadam_kernel(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v,
                  float one_minus_b1, float one_minus_b2, float m_coef, float g_coef, float v_coef, float lr, float eps,
                  Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float gi = g[i];
    m[i] += (gi - m[i]) * one_minus_b1;
    v[i] += (gi * gi - v[i]) * one_minus_b2;
    const float m_hat = m_coef * m[i] + g_coef * gi;
    w[i] -= m_hat * lr / (std::sqrt(v[i] * v_coef) + eps);
  }
}

STRATA_ISA_CLONES
void adamax_kernel(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict u,
                   float one_minus_b1, float b2, float alpha, float eps, Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float gi = g[i];
    m[i] += (gi - m[i]) * one_minus_b1;
    const float decayed = b2 * u[i];
    const float a = std::abs(gi);
    u[i] = decayed != decayed || a != a ? decayed + a : (decayed > a ? decayed : a);  // NaN kept, as jnp.maximum
    w[i] -= alpha * m[i] / (u[i] + eps);
  }
}

STRATA_ISA_CLONES
void adadelta_kernel(float* __restrict w, const float* __restrict g, float* __restrict acc_g, float* __restrict acc_d,
                     float rho, float one_minus_rho, float lr, float eps, Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float gi = g[i];
    acc_g[i] = rho * acc_g[i] + one_minus_rho * (gi * gi);
    const float delta = -(std::sqrt(acc_d[i] + eps) * gi) / std::sqrt(acc_g[i] + eps);
    acc_d[i] = rho * acc_d[i] + one_minus_rho * (delta * delta);
    w[i] += lr * delta;
  }
}

STRATA_ISA_CLONES
void lion_kernel(float* __restrict w, const float* __restrict g, float* __restrict m, float b1, float b2, float lr,
                 Index b, Index e) {
  const float one_minus_b1 = 1.f - b1, one_minus_b2 = 1.f - b2;
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float gi = g[i];
    const float x = m[i] * b1 + gi * one_minus_b1;
    const float s = x != x ? x : static_cast<float>((x > 0.f) - (x < 0.f));  // sign, NaN kept
    w[i] -= lr * s;
    m[i] = m[i] * b2 + gi * one_minus_b2;
  }
}

STRATA_ISA_CLONES
void ftrl_kernel(float* __restrict w, const float* __restrict g, float* __restrict acc, float* __restrict lin,
                 const FtrlParams p, Index b, Index e) {
  const float power = -p.learning_rate_power, lr = p.learning_rate;
  const float shrink = 2.f * p.l2_shrinkage, two_l2 = 2.f * p.l2, l1 = p.l1;
  for (Index i = b; i < e; ++i) {
    const float gi = g[i], wi = w[i];
    const float new_acc = acc[i] + gi * gi;
    const float new_acc_power = std::pow(new_acc, power);
    lin[i] += gi + shrink * wi - (new_acc_power - std::pow(acc[i], power)) / lr * wi;
    const float z = lin[i];
    const float clipped = z < -l1 ? -l1 : (z > l1 ? l1 : z);  // NaN stays NaN
    w[i] = (clipped - z) / (new_acc_power / lr + two_l2);
    acc[i] = new_acc;
  }
}

double sum_squares_of(const float* x, Index n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (Index i = 0; i < n; ++i) s += double{x[i]} * x[i];
  return s;
}

}  // namespace

void CpuBackend::nadam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const NadamParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pm = f32(m);
  float* pv = f32(v);
  const auto m_coef = static_cast<float>(double{p.u_t_1} / (1.0 - p.u_product_t_1));
  const auto g_coef = static_cast<float>((1.0 - p.u_t) / (1.0 - p.u_product_t));
  const auto v_coef = static_cast<float>(1.0 / (1.0 - p.beta_2_power));
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) {
    nadam_kernel(pw, pg, pm, pv, p.one_minus_beta_1, p.one_minus_beta_2, m_coef, g_coef, v_coef, p.learning_rate,
                 p.epsilon, b, e);
  });
}

void CpuBackend::adamax_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& u, const AdamaxParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pm = f32(m);
  float* pu = f32(u);
  const auto one_minus_b1 = static_cast<float>(1.0 - p.beta_1);
  const auto alpha = static_cast<float>(p.learning_rate / (1.0 - p.beta_1_power));
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) {
    adamax_kernel(pw, pg, pm, pu, one_minus_b1, static_cast<float>(p.beta_2), alpha, p.epsilon, b, e);
  });
}

void CpuBackend::adadelta_update(Tensor& w, const Tensor& g, Tensor& accumulated_grad, Tensor& accumulated_delta,
                                 const AdadeltaParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pa = f32(accumulated_grad);
  float* pd = f32(accumulated_delta);
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) {
    adadelta_kernel(pw, pg, pa, pd, static_cast<float>(p.rho), static_cast<float>(1.0 - p.rho), p.learning_rate,
                    p.epsilon, b, e);
  });
}

void CpuBackend::lion_update(Tensor& w, const Tensor& g, Tensor& m, const LionParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pm = f32(m);
  parallel_rows(w, kSerialHeavy,
                [&](Index b, Index e) { lion_kernel(pw, pg, pm, p.beta_1, p.beta_2, p.learning_rate, b, e); });
}

void CpuBackend::ftrl_update(Tensor& w, const Tensor& g, Tensor& accumulator, Tensor& linear, const FtrlParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pa = f32(accumulator);
  float* pl = f32(linear);
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) { ftrl_kernel(pw, pg, pa, pl, p, b, e); });
}

void CpuBackend::adafactor_update(Tensor& w, const Tensor& g, Tensor* r, Tensor* c, Tensor& v,
                                  const AdafactorParams& p) {
  float* pw = f32(w);
  const float* pg = f32(g);
  float* pv = f32(v);
  const Index n = w.size();
  const float beta = p.beta_2_t, one_minus_beta = 1.f - p.beta_2_t, eps1 = p.epsilon_1;
  const auto rms_w = static_cast<float>(std::sqrt(sum_squares_of(pw, n) / static_cast<double>(n)));
  const float alpha = std::max(p.epsilon_2, rms_w) * p.rho_t;

  if (r != nullptr) {
    const auto rank = w.shape().rank();
    const Index rows = w.shape()[rank - 2], cols = w.shape()[rank - 1];
    const Index batches = n / (rows * cols);
    float* pr = f32(*r);
    float* pc = f32(*c);
    std::vector<double> col_sums(static_cast<std::size_t>(cols));
    for (Index b = 0; b < batches; ++b) {
      const float* gb = pg + b * rows * cols;
      std::fill(col_sums.begin(), col_sums.end(), 0.0);
      double r_sum = 0;
      for (Index i = 0; i < rows; ++i) {
        double s = 0;
        for (Index j = 0; j < cols; ++j) {
          const double sq = double{gb[i * cols + j]} * gb[i * cols + j] + eps1;
          s += sq;
          col_sums[static_cast<std::size_t>(j)] += sq;
        }
        float& ri = pr[b * rows + i];
        ri = beta * ri + one_minus_beta * static_cast<float>(s / static_cast<double>(cols));
        r_sum += ri;
      }
      for (Index j = 0; j < cols; ++j) {
        float& cj = pc[b * cols + j];
        cj = beta * cj +
             one_minus_beta * static_cast<float>(col_sums[static_cast<std::size_t>(j)] / static_cast<double>(rows));
      }
      const auto r_mean = static_cast<float>(r_sum / static_cast<double>(rows));
      float* vb = pv + b * rows * cols;
      for (Index i = 0; i < rows; ++i) {
        const float scaled = pr[b * rows + i] / r_mean;
#pragma omp simd
        for (Index j = 0; j < cols; ++j) vb[i * cols + j] = scaled * pc[b * cols + j];
      }
    }
  } else {
#pragma omp simd
    for (Index i = 0; i < n; ++i) pv[i] = beta * pv[i] + one_minus_beta * (pg[i] * pg[i] + eps1);
  }

  double sum_u2 = 0;
#pragma omp simd reduction(+ : sum_u2)
  for (Index i = 0; i < n; ++i) {
    const double u = pg[i] / std::sqrt(double{pv[i]});
    sum_u2 += u * u;
  }
  const auto rms_u = static_cast<float>(std::sqrt(sum_u2 / static_cast<double>(n)));
  const float ratio = rms_u / p.clip_threshold;
  const float divisor = ratio != ratio ? ratio : std::max(1.f, ratio);  // a NaN rms reaches every weight
  parallel_rows(w, kSerialHeavy, [&](Index b, Index e) {
#pragma omp simd
    for (Index i = b; i < e; ++i) pw[i] -= alpha * (pg[i] / std::sqrt(pv[i]) / divisor);
  });
}

void CpuBackend::ema_update(Tensor& average, const Tensor& variable, float momentum) {
  float* pa = f32(average);
  const float* px = f32(variable);
  const float one_minus = 1.f - momentum;
  parallel_rows(average, kSerialCheap, [&](Index b, Index e) {
#pragma omp simd
    for (Index i = b; i < e; ++i) pa[i] = momentum * pa[i] + one_minus * px[i];
  });
}

}  // namespace strata::backends
