// Activations. Forward: relu and leaky relu are plain loops (a oneDNN call costs more than the
// work at layer sizes), softmax is softmax_v2 (or, when the input holds NaN or an infinity, which
// softmax_v2 turns into numbers, a plain loop), every other function a cached oneDNN eltwise
// primitive (vectorised exp/tanh/erf, which keep NaN). Every loop keeps NaN as the Backend
// contract asks: comparisons are written so that NaN takes the branch that returns it, and a
// derivative multiplies dy (0 * NaN is NaN). Backward: every derivative that is a polynomial in the
// output (relu, leaky relu, sigmoid, tanh, elu, selu, softmax) is a plain loop over y; gelu,
// swish (and softplus when only x is given) go through oneDNN's eltwise backward from x.

#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/dnnl_context.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;
using dnnl::memory;

namespace {

enum Slot { kIn = 0, kOut = 1, kDiffDst = 2 };

STRATA_ISA_CLONES
void forward_kernel(ActivationKind kind, float alpha, const float* x, float* y, Index b, Index e) {
  if (kind == ActivationKind::Relu) {
#pragma omp simd
    for (Index i = b; i < e; ++i) y[i] = x[i] < 0.f ? 0.f : x[i];
  } else {  // LeakyRelu: x if x >= 0 else alpha x
#pragma omp simd
    for (Index i = b; i < e; ++i) y[i] = x[i] >= 0.f ? x[i] : alpha * x[i];
  }
}

// Keras's ReLU layer with a max_value or threshold: max_value from max_value on, x from the
// threshold on, alpha (x - threshold) below.
STRATA_ISA_CLONES
void relu_general_forward(float alpha, float max_value, float threshold, const float* x, float* y, Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float v = x[i];
    // NaN fails both comparisons and comes out as itself; -inf below the threshold gives 0 (not
    // 0 * -inf) when there is no slope.
    y[i] = v >= max_value ? max_value : v < threshold ? (alpha != 0.f ? alpha * (v - threshold) : 0.f) : v;
  }
}

// Its derivative: from y (threshold 0, alpha >= 0: y >= max_value exactly on the clipped piece,
// y > 0 exactly on the identity piece), or from x (the kink at the threshold takes the slope from
// below, as plain relu's x = 0 does).
STRATA_ISA_CLONES
void relu_general_backward(bool from_y, float alpha, float max_value, float threshold, const float* v, const float* dy,
                           float* dx, Index b, Index e) {
  const float t = from_y ? 0.f : threshold;
  const bool clips = max_value != std::numeric_limits<float>::infinity();  // relu'(+inf) is 1
#pragma omp simd
  for (Index i = b; i < e; ++i) dx[i] = dy[i] * (v[i] >= max_value && clips ? 0.f : v[i] > t ? 1.f : alpha);
}

// dx from the output y (or, for relu / leaky relu, from whichever of x, y the caller has:
// both have the same sign).
STRATA_ISA_CLONES
void backward_kernel(ActivationKind kind, float alpha, const float* v, const float* dy, float* dx, Index b, Index e) {
  switch (kind) {
    case ActivationKind::Relu:
#pragma omp simd
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * (v[i] > 0.f ? 1.f : 0.f);
      break;
    case ActivationKind::LeakyRelu:
#pragma omp simd
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * (v[i] > 0.f ? 1.f : alpha);
      break;
    case ActivationKind::Sigmoid:
#pragma omp simd
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * (v[i] * (1.f - v[i]));
      break;
    case ActivationKind::Tanh:
#pragma omp simd
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * (1.f - v[i] * v[i]);
      break;
    case ActivationKind::Elu:  // y > 0 iff x > 0; for x <= 0, alpha e^x = y + alpha
#pragma omp simd
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * (v[i] > 0.f ? 1.f : v[i] + alpha);
      break;
    case ActivationKind::Selu: {  // scale for x > 0, scale alpha e^x = y + scale alpha else
      const float sa = kSeluScale * kSeluAlpha;
#pragma omp simd
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * (v[i] > 0.f ? kSeluScale : v[i] + sa);
      break;
    }
    case ActivationKind::Softplus:  // sigmoid(x) = 1 - e^-y
      for (Index i = b; i < e; ++i) dx[i] = dy[i] * -std::expm1(-v[i]);
      break;
    default: break;
  }
}

// Softmax backward over rows of length c: dx = y (dy - sum(dy y)).
STRATA_ISA_CLONES
void softmax_backward_kernel(const float* y, const float* dy, float* dx, Index c, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const float* yr = y + r * c;
    const float* gr = dy + r * c;
    float* out = dx + r * c;
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (Index j = 0; j < c; ++j) dot += gr[j] * yr[j];
#pragma omp simd
    for (Index j = 0; j < c; ++j) out[j] = yr[j] * (gr[j] - dot);
  }
}

// Softmax over rows of length c as written: e^(x - max) / sum. A row holding NaN or +inf comes
// out NaN (x - max is NaN there), one of only -inf too, as in the reference and in Keras.
void softmax_exact(const float* x, float* y, Index c, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    float mx = xr[0];
    for (Index j = 1; j < c; ++j) mx = std::isnan(xr[j]) || xr[j] > mx ? xr[j] : mx;
    float sum = 0.f;
    for (Index j = 0; j < c; ++j) sum += yr[j] = std::exp(xr[j] - mx);
    for (Index j = 0; j < c; ++j) yr[j] /= sum;
  }
}

Index last_axis(const Tensor& t) { return t.shape().rank() > 0 ? t.shape()[-1] : 1; }

}  // namespace

void CpuBackend::dnnl_eltwise_forward(ActivationFunction act, const Tensor& x, Tensor& y) {
  const Index n = x.size();
  const float* px = f32(x);
  float* py = f32(y);
  const PrimKey key{{static_cast<Index>(OpId::EltwiseForward), current_threads(), n, static_cast<Index>(act.kind),
                     key_bits(act.alpha)},
                    dtype_word({x.dtype()})};
  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "activation_forward (eltwise_forward::primitive_desc)", [&](CachedOp& op) {
    const memory::desc md = plain_md({n}, x.dtype());
    op.slot[kIn] = ctx_->unbound(md);
    op.slot[kOut] = ctx_->unbound(md);
    bool first = true;
    for (const EltwiseStep& s : eltwise_steps(act)) {
      const dnnl::eltwise_forward::primitive_desc pd(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, s.alg, md, s.alpha, s.beta),
          DnnlContext::attr(), ctx_->engine());
      ctx_->add(op, pd, {{DNNL_ARG_SRC, op.slot[first ? kIn : kOut]}, {DNNL_ARG_DST, op.slot[kOut]}});
      first = false;
    }
  });
  op.bind(kIn, px);
  op.bind(kOut, py);
  ctx_->run(op, "activation_forward (eltwise_forward::execute)");
}

void CpuBackend::dnnl_eltwise_backward(ActivationFunction act, const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Index n = x.size();
  const float* px = f32(x);
  const float* pdy = f32(dy);
  float* pdx = f32(dx);
  const PrimKey key{{static_cast<Index>(OpId::EltwiseBackward), current_threads(), n, static_cast<Index>(act.kind),
                     key_bits(act.alpha)},
                    dtype_word({x.dtype()})};
  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "activation_backward (eltwise_backward::primitive_desc)", [&](CachedOp& op) {
    const memory::desc md = plain_md({n}, x.dtype());
    // Every activation sent here is one eltwise step from x, except Selu (elu, then a scale).
    const EltwiseStep s = eltwise_steps(act).front();
    const dnnl::eltwise_forward::primitive_desc hint(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, s.alg, md, s.alpha, s.beta), ctx_->engine());
    const dnnl::eltwise_backward::primitive_desc pd(dnnl::eltwise_backward::desc(s.alg, md, md, s.alpha, s.beta),
                                                    DnnlContext::attr(), ctx_->engine(), hint);
    op.slot[kIn] = ctx_->unbound(md);
    op.slot[kOut] = ctx_->unbound(md);
    op.slot[kDiffDst] = ctx_->unbound(md);
    ctx_->add(
        op, pd,
        {{DNNL_ARG_SRC, op.slot[kIn]}, {DNNL_ARG_DIFF_DST, op.slot[kDiffDst]}, {DNNL_ARG_DIFF_SRC, op.slot[kOut]}});
  });
  op.bind(kIn, px);
  op.bind(kDiffDst, pdy);
  op.bind(kOut, pdx);
  ctx_->run(op, "activation_backward (eltwise_backward::execute)");
}

void CpuBackend::dnnl_softmax_forward(const Tensor& x, Tensor& y) {
  const Index c = last_axis(x);
  const Index rows = c > 0 ? x.size() / c : 0;
  const float* px = f32(x);
  float* py = f32(y);
  const PrimKey key{{static_cast<Index>(OpId::Softmax), current_threads(), rows, c}, dtype_word({x.dtype()})};
  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "softmax (softmax_v2_forward::primitive_desc)", [&](CachedOp& op) {
    const memory::desc md = plain_md({rows, c}, x.dtype());
    const dnnl::softmax_v2_forward::primitive_desc pd(
        dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate, md, md,
                                       1),
        DnnlContext::attr(), ctx_->engine());
    op.slot[kIn] = ctx_->unbound(md);
    op.slot[kOut] = ctx_->unbound(md);
    ctx_->add(op, pd, {{DNNL_ARG_SRC, op.slot[kIn]}, {DNNL_ARG_DST, op.slot[kOut]}});
  });
  op.bind(kIn, px);
  op.bind(kOut, py);
  ctx_->run(op, "softmax (softmax_v2_forward::execute)");
}

void CpuBackend::activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) {
  const Index n = x.size();
  const float* px = f32(x);
  float* py = f32(y);
  if (n == 0) return;
  switch (act.kind) {
    case ActivationKind::Linear:
      if (px != py) copy(x, y);
      return;
    case ActivationKind::Relu:
    case ActivationKind::LeakyRelu: {
      if (act.kind == ActivationKind::Relu && !plain_relu(act)) {
        parallel_range(n, kSerialCheap, [&](Index b, Index e) {
          relu_general_forward(act.alpha, act.max_value, act.threshold, px, py, b, e);
        });
        return;
      }
      parallel_range(n, kSerialCheap, [&](Index b, Index e) { forward_kernel(act.kind, act.alpha, px, py, b, e); });
      return;
    }
    case ActivationKind::Softmax: {
      if (magnitude(px, n).finite) {
        dnnl_softmax_forward(x, y);
        return;
      }
      const Index c = last_axis(x);
      parallel_range(n / c, kSerialRows / c, [&](Index r0, Index r1) { softmax_exact(px, py, c, r0, r1); });
      return;
    }
    default: dnnl_eltwise_forward(act, x, y); return;
  }
}

void CpuBackend::activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y, const Tensor& dy,
                                     Tensor& dx) {
  const Index n = dy.size();
  if (n == 0) return;
  const float* pdy = f32(dy);
  float* pdx = f32(dx);
  auto from = [&](const Tensor& v) {
    const float* pv = f32(v);
    parallel_range(n, kSerialCheap,
                   [&](Index b, Index e) { backward_kernel(act.kind, act.alpha, pv, pdy, pdx, b, e); });
  };
  switch (act.kind) {
    case ActivationKind::Linear:
      if (dy.raw() != dx.raw()) copy(dy, dx);
      return;
    case ActivationKind::Relu: {
      if (plain_relu(act)) {
        from(y.defined() ? y : x);
        return;
      }
      // y tells the piece only without a threshold and with a slope >= 0 (backward_from_output).
      const bool from_y = y.defined() && (act.backward_from_output() || !x.defined());
      const float* pv = f32(from_y ? y : x);
      parallel_range(n, kSerialCheap, [&](Index b, Index e) {
        relu_general_backward(from_y, act.alpha, act.max_value, act.threshold, pv, pdy, pdx, b, e);
      });
      return;
    }
    case ActivationKind::LeakyRelu:
      // y has x's sign only for a positive slope.
      from(act.alpha > 0.f && y.defined() ? y : x);
      return;
    case ActivationKind::Softmax: {
      const Index c = last_axis(dy);
      const float* py = f32(y);
      parallel_range(n / c, kSerialRows / c,
                     [&](Index r0, Index r1) { softmax_backward_kernel(py, pdy, pdx, c, r0, r1); });
      return;
    }
    case ActivationKind::Sigmoid:
    case ActivationKind::Tanh:
    case ActivationKind::Elu:
    case ActivationKind::Selu:
      if (y.defined()) {
        from(y);
      } else {  // only x at hand: oneDNN's backward from the input
        dnnl_eltwise_backward(act, x, dy, dx);
        if (act.kind == ActivationKind::Selu) scale(dx, kSeluScale);
      }
      return;
    case ActivationKind::Softplus:  // from y, as the contract allows; x only when y is absent
      if (y.defined()) {
        from(y);
      } else {
        dnnl_eltwise_backward(act, x, dy, dx);
      }
      return;
    case ActivationKind::Gelu:
    case ActivationKind::Swish: dnnl_eltwise_backward(act, x, dy, dx); return;
  }
}

}  // namespace strata::backends
