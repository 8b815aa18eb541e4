// Normalisation. Batch norm runs oneDNN 2.6's batch_normalization primitives on x viewed as
// (rows, c) (statistics per channel over every row, as Keras's axis -1), with use_scale |
// use_shift for gamma and beta; oneDNN's variance is the biased one, as Keras's. The moving
// statistics are then updated by a loop. Layer norm normalises each row of (rows, c): plain
// loops, parallel over rows (forward, dx) and over columns (dgamma, dbeta, so the sums over
// rows need no per-thread partials). Row sums run in double.

#include <algorithm>
#include <cmath>
#include <mutex>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/dnnl_context.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;
using dnnl::memory;

namespace {

enum Slot { kSrc = 0, kScale, kShift, kMean, kVariance, kOut, kDiffDst, kDiffScale, kDiffShift };

Index channels(const Tensor& x) { return x.shape().rank() > 0 ? x.shape()[-1] : 1; }

const auto kScaleShift = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;

// x (rows, c) as oneDNN's (rows, c, 1, 1) in nhwc: the channels-last layout its JIT batch norm
// handles (a 2-D "ab" tensor gets only the reference-grade ncsp implementation).
memory::desc data_md(Index rows, Index c, DType dtype) {
  return memory::desc({rows, c, 1, 1}, dnnl_dt(dtype), memory::format_tag::nhwc);
}

// Scale, shift, mean and variance: oneDNN's batch norm takes them in f32 whatever the data's type.
memory::desc vector_md(Index c) { return plain_md({c}, DType::F32); }

dnnl::batch_normalization_forward::desc bn_forward_desc(dnnl::prop_kind prop, Index rows, Index c, float eps,
                                                        dnnl::normalization_flags flags, DType dtype) {
  return dnnl::batch_normalization_forward::desc(prop, data_md(rows, c, dtype), eps, flags);
}

// moving = moving * momentum + batch * (1 - momentum), in place.
STRATA_ISA_CLONES
void moving_update(float* moving, const float* batch, float momentum, Index c) {
  const float keep = momentum, take = 1.f - momentum;
#pragma omp simd
  for (Index j = 0; j < c; ++j) moving[j] = moving[j] * keep + batch[j] * take;
}

STRATA_ISA_CLONES
void layer_norm_rows(const float* x, const float* gamma, const float* beta, float eps, Index c, float* y, float* mean,
                     float* rstd, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (Index j = 0; j < c; ++j) sum += xr[j];
    const double mu = sum / static_cast<double>(c);
    double sq = 0.0;
#pragma omp simd reduction(+ : sq)
    for (Index j = 0; j < c; ++j) {
      const double d = xr[j] - mu;
      sq += d * d;
    }
    const double rs = 1.0 / std::sqrt(sq / static_cast<double>(c) + eps);
    mean[r] = static_cast<float>(mu);
    rstd[r] = static_cast<float>(rs);
    const float m = static_cast<float>(mu), s = static_cast<float>(rs);
    float* yr = y + r * c;
    if (gamma && beta) {
#pragma omp simd
      for (Index j = 0; j < c; ++j) yr[j] = (xr[j] - m) * s * gamma[j] + beta[j];
    } else if (gamma) {
#pragma omp simd
      for (Index j = 0; j < c; ++j) yr[j] = (xr[j] - m) * s * gamma[j];
    } else if (beta) {
#pragma omp simd
      for (Index j = 0; j < c; ++j) yr[j] = (xr[j] - m) * s + beta[j];
    } else {
#pragma omp simd
      for (Index j = 0; j < c; ++j) yr[j] = (xr[j] - m) * s;
    }
  }
}

// dx = rstd (g - mean(g) - xhat mean(g xhat)), g = dy gamma, xhat = (x - mean) rstd.
STRATA_ISA_CLONES
void layer_norm_dx_rows(const float* x, const float* dy, const float* gamma, const float* mean, const float* rstd,
                        Index c, float* dx, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    const float* gr = dy + r * c;
    const float m = mean[r], s = rstd[r];
    double sum_g = 0.0, sum_gx = 0.0;
    if (gamma) {
#pragma omp simd reduction(+ : sum_g, sum_gx)
      for (Index j = 0; j < c; ++j) {
        const double g = static_cast<double>(gr[j]) * gamma[j];
        sum_g += g;
        sum_gx += g * ((xr[j] - m) * s);
      }
    } else {
#pragma omp simd reduction(+ : sum_g, sum_gx)
      for (Index j = 0; j < c; ++j) {
        const double g = gr[j];
        sum_g += g;
        sum_gx += g * ((xr[j] - m) * s);
      }
    }
    const float mg = static_cast<float>(sum_g / static_cast<double>(c));
    const float mgx = static_cast<float>(sum_gx / static_cast<double>(c));
    float* out = dx + r * c;
    if (gamma) {
#pragma omp simd
      for (Index j = 0; j < c; ++j) out[j] = s * (gr[j] * gamma[j] - mg - (xr[j] - m) * s * mgx);
    } else {
#pragma omp simd
      for (Index j = 0; j < c; ++j) out[j] = s * (gr[j] - mg - (xr[j] - m) * s * mgx);
    }
  }
}

// dgamma[j] = sum over rows of dy xhat, dbeta[j] = sum over rows of dy, for columns [c0, c1):
// row by row over the column block, so each thread streams whole row segments.
STRATA_ISA_CLONES
void layer_norm_dparams_cols(const float* x, const float* dy, const float* mean, const float* rstd, Index rows, Index c,
                             float* dgamma, float* dbeta, Index c0, Index c1) {
  constexpr Index kBlock = 256;
  double acc_g[kBlock], acc_b[kBlock];
  for (Index b0 = c0; b0 < c1; b0 += kBlock) {
    const Index w = std::min(kBlock, c1 - b0);
    for (Index j = 0; j < w; ++j) acc_g[j] = acc_b[j] = 0.0;
    for (Index r = 0; r < rows; ++r) {
      const float* xr = x + r * c + b0;
      const float* gr = dy + r * c + b0;
      const float m = mean[r], s = rstd[r];
#pragma omp simd
      for (Index j = 0; j < w; ++j) {
        acc_g[j] += static_cast<double>(gr[j]) * ((xr[j] - m) * s);
        acc_b[j] += gr[j];
      }
    }
    for (Index j = 0; j < w; ++j) {
      if (dgamma) dgamma[b0 + j] = static_cast<float>(acc_g[j]);
      if (dbeta) dbeta[b0 + j] = static_cast<float>(acc_b[j]);
    }
  }
}

// Training and inference run the same oneDNN forward primitive and differ only in the prop
// kind, the flags and which statistics the mean/variance slots point at (the batch's, written;
// the moving ones, read).
void batch_norm_forward(DnnlContext& ctx, OpId id, dnnl::prop_kind prop, dnnl::normalization_flags flags,
                        const char* create_what, const char* run_what, Index rows, Index c, float epsilon,
                        const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                        const Tensor& variance, Tensor& y) {
  const float* px = f32(x);
  float* py = f32(y);
  const float* pgamma = f32(gamma);
  const float* pbeta = f32(beta);
  const float* pmean = f32(mean);
  const float* pvariance = f32(variance);
  const PrimKey key{{static_cast<Index>(id), current_threads(), rows, c, key_bits(epsilon)}, dtype_word({x.dtype()})};
  std::lock_guard lock(ctx.mutex());
  CachedOp& op = ctx.get(key, create_what, [&](CachedOp& op) {
    const dnnl::batch_normalization_forward::primitive_desc pd(
        bn_forward_desc(prop, rows, c, epsilon, flags, x.dtype()), DnnlContext::attr(), ctx.engine());
    const memory::desc data = data_md(rows, c, x.dtype());
    const memory::desc vec = vector_md(c);
    op.slot[kSrc] = ctx.unbound(data);
    op.slot[kOut] = ctx.unbound(data);
    for (int s : {kScale, kShift, kMean, kVariance}) op.slot[s] = ctx.unbound(vec);
    ctx.add(op, pd,
            {{DNNL_ARG_SRC, op.slot[kSrc]},
             {DNNL_ARG_DST, op.slot[kOut]},
             {DNNL_ARG_SCALE, op.slot[kScale]},
             {DNNL_ARG_SHIFT, op.slot[kShift]},
             {DNNL_ARG_MEAN, op.slot[kMean]},
             {DNNL_ARG_VARIANCE, op.slot[kVariance]}});
  });
  op.bind(kSrc, px);
  op.bind(kOut, py);
  op.bind(kScale, pgamma);
  op.bind(kShift, pbeta);
  op.bind(kMean, pmean);
  op.bind(kVariance, pvariance);
  ctx.run(op, run_what);
}

}  // namespace

void CpuBackend::batch_norm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, float epsilon,
                                             float momentum, Tensor& y, Tensor& mean, Tensor& variance,
                                             Tensor& moving_mean, Tensor& moving_variance) {
  const Index c = channels(x);
  const Index rows = c > 0 ? x.size() / c : 0;
  if (c == 0) return;
  if (rows == 0) {  // no samples: oneDNN has no primitive; statistics of nothing are 0 / 0
    fill(mean, std::nanf(""));
    fill(variance, std::nanf(""));
  } else {
    batch_norm_forward(*ctx_, OpId::BatchNormTraining, dnnl::prop_kind::forward_training, kScaleShift,
                       "batch_norm_forward_training (batch_normalization_forward::primitive_desc)",
                       "batch_norm_forward_training (batch_normalization_forward::execute)", rows, c, epsilon, x, gamma,
                       beta, mean, variance, y);
  }
  moving_update(f32(moving_mean), f32(mean), momentum, c);
  moving_update(f32(moving_variance), f32(variance), momentum, c);
}

void CpuBackend::batch_norm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              const Tensor& moving_mean, const Tensor& moving_variance, float epsilon,
                                              Tensor& y) {
  const Index c = channels(x);
  const Index rows = c > 0 ? x.size() / c : 0;
  if (c == 0 || rows == 0) return;
  batch_norm_forward(*ctx_, OpId::BatchNormInference, dnnl::prop_kind::forward_inference,
                     kScaleShift | dnnl::normalization_flags::use_global_stats,
                     "batch_norm_forward_inference (batch_normalization_forward::primitive_desc)",
                     "batch_norm_forward_inference (batch_normalization_forward::execute)", rows, c, epsilon, x, gamma,
                     beta, moving_mean, moving_variance, y);
}

void CpuBackend::batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& gamma, const Tensor& mean,
                                     const Tensor& variance, float epsilon, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  const Index c = channels(x);
  const Index rows = c > 0 ? x.size() / c : 0;
  if (c == 0) return;
  const float* px = f32(x);
  const float* pdy = f32(dy);
  const float* pgamma = f32(gamma);
  const float* pmean = f32(mean);
  const float* pvariance = f32(variance);
  float* pdx = f32(dx);
  float* pdgamma = f32(dgamma);
  float* pdbeta = f32(dbeta);
  if (rows == 0) {
    fill(dgamma, 0.f);
    fill(dbeta, 0.f);
    return;
  }
  const PrimKey key{{static_cast<Index>(OpId::BatchNormBackward), current_threads(), rows, c, key_bits(epsilon)},
                    dtype_word({x.dtype()})};
  std::lock_guard lock(ctx_->mutex());
  CachedOp& op =
      ctx_->get(key, "batch_norm_backward (batch_normalization_backward::primitive_desc)", [&](CachedOp& op) {
        const dnnl::batch_normalization_forward::primitive_desc hint(
            bn_forward_desc(dnnl::prop_kind::forward_training, rows, c, epsilon, kScaleShift, x.dtype()),
            ctx_->engine());
        const memory::desc data = data_md(rows, c, x.dtype());
        const memory::desc vec = vector_md(c);
        const dnnl::batch_normalization_backward::primitive_desc pd(
            dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, data, data, epsilon, kScaleShift),
            DnnlContext::attr(), ctx_->engine(), hint);
        op.slot[kSrc] = ctx_->unbound(data);
        op.slot[kOut] = ctx_->unbound(data);
        for (int s : {kScale, kShift, kMean, kVariance}) op.slot[s] = ctx_->unbound(vec);
        op.slot[kDiffDst] = ctx_->unbound(data);
        op.slot[kDiffScale] = ctx_->unbound(vec);
        op.slot[kDiffShift] = ctx_->unbound(vec);
        // oneDNN 2.6 wants a shift argument whenever use_shift is set, even in backward, which
        // never reads it: a buffer of zeros stands in for beta.
        op.owned_buffers.push_back(ctx_->owned(vec));
        std::fill_n(static_cast<float*>(op.owned_buffers.back().get_data_handle()), c, 0.f);
        ctx_->add(op, pd,
                  {{DNNL_ARG_SHIFT, op.owned_buffers.back()},
                   {DNNL_ARG_SRC, op.slot[kSrc]},
                   {DNNL_ARG_DIFF_DST, op.slot[kDiffDst]},
                   {DNNL_ARG_SCALE, op.slot[kScale]},
                   {DNNL_ARG_MEAN, op.slot[kMean]},
                   {DNNL_ARG_VARIANCE, op.slot[kVariance]},
                   {DNNL_ARG_DIFF_SRC, op.slot[kOut]},
                   {DNNL_ARG_DIFF_SCALE, op.slot[kDiffScale]},
                   {DNNL_ARG_DIFF_SHIFT, op.slot[kDiffShift]}});
      });
  op.bind(kSrc, px);
  op.bind(kScale, pgamma);
  op.bind(kMean, pmean);
  op.bind(kVariance, pvariance);
  op.bind(kOut, pdx);
  op.bind(kDiffDst, pdy);
  op.bind(kDiffScale, pdgamma);
  op.bind(kDiffShift, pdbeta);
  ctx_->run(op, "batch_norm_backward (batch_normalization_backward::execute)");
}

void CpuBackend::layer_norm_forward(const Tensor& x, const Tensor* gamma, const Tensor* beta, float epsilon, Tensor& y,
                                    Tensor& mean, Tensor& rstd) {
  const Index c = channels(x);
  const Index rows = c > 0 ? x.size() / c : 0;
  if (rows == 0) return;
  const float* px = f32(x);
  const float* pg = gamma ? f32(*gamma) : nullptr;
  const float* pb = beta ? f32(*beta) : nullptr;
  float* py = f32(y);
  float* pm = f32(mean);
  float* ps = f32(rstd);
  parallel_range(rows, std::max<Index>(1, kSerialCheap / c),
                 [&](Index r0, Index r1) { layer_norm_rows(px, pg, pb, epsilon, c, py, pm, ps, r0, r1); });
}

void CpuBackend::layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor* gamma, const Tensor& mean,
                                     const Tensor& rstd, Tensor& dx, Tensor* dgamma, Tensor* dbeta) {
  const Index c = channels(x);
  const Index rows = c > 0 ? x.size() / c : 0;
  const float* px = f32(x);
  const float* pdy = f32(dy);
  const float* pg = gamma ? f32(*gamma) : nullptr;
  const float* pm = rows > 0 ? f32(mean) : nullptr;
  const float* ps = rows > 0 ? f32(rstd) : nullptr;
  if (rows > 0) {
    float* pdx = f32(dx);
    parallel_range(rows, std::max<Index>(1, kSerialCheap / c),
                   [&](Index r0, Index r1) { layer_norm_dx_rows(px, pdy, pg, pm, ps, c, pdx, r0, r1); });
  }
  if (!dgamma && !dbeta) return;
  float* pdg = dgamma ? f32(*dgamma) : nullptr;
  float* pdb = dbeta ? f32(*dbeta) : nullptr;
  // Columns split between threads only when each gets a few cache lines' worth.
  const Index serial_below = rows * c < kSerialCheap || c < 64 ? c + 1 : 0;
  parallel_range(c, serial_below,
                 [&](Index c0, Index c1) { layer_norm_dparams_cols(px, pdy, pm, ps, rows, c, pdg, pdb, c0, c1); });
}

}  // namespace strata::backends
