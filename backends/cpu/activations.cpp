// Activations. Forward: relu and leaky relu are plain loops (a oneDNN call costs more than the
// work at layer sizes), softmax is softmax_v2 (or, when the input holds NaN or an infinity, which
// softmax_v2 turns into numbers, a plain loop), every other function a cached oneDNN eltwise
// primitive (vectorised exp/tanh/erf, which keep NaN). Every loop keeps NaN as the Backend
// contract asks: comparisons are written so that NaN takes the branch that returns it, and a
// derivative multiplies dy (0 * NaN is NaN). Backward: every derivative that is a polynomial in the
// output (relu, leaky relu, sigmoid, tanh, elu, selu, softmax) is a plain loop over y; selu from x
// is a loop too (oneDNN has it only as elu then a scale, which would round a bf16 dx twice); gelu,
// swish (and the others when only x is given) go through oneDNN's eltwise backward from x.
//
// bfloat16 tensors take the same paths: the loops are templated on the element type (read as
// float, computed in f32, each result rounded once), softmax sums its rows in f32, and the oneDNN
// primitives take bf16 memory directly (they compute in f32 too).

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

// The forward loops read x as TIn and write y as TOut: the same type, or an f32 x (a bf16 dense
// or conv op's product before its one rounding) into a bf16 y.
template <class TIn, class TOut>
STRATA_ISA_CLONES void forward_kernel(ActivationKind kind, float alpha, const TIn* x, TOut* y, Index b, Index e) {
  if (kind == ActivationKind::Relu) {
#pragma omp simd
    for (Index i = b; i < e; ++i) {
      const float v = static_cast<float>(x[i]);
      y[i] = detail::cast_element<TOut>(v < 0.f ? 0.f : v);
    }
  } else {  // LeakyRelu: x if x >= 0 else alpha x
#pragma omp simd
    for (Index i = b; i < e; ++i) {
      const float v = static_cast<float>(x[i]);
      y[i] = detail::cast_element<TOut>(v >= 0.f ? v : alpha * v);
    }
  }
}

// Keras's ReLU layer with a max_value or threshold: max_value from max_value on, x from the
// threshold on, alpha (x - threshold) below.
template <class TIn, class TOut>
STRATA_ISA_CLONES void relu_general_forward(float alpha, float max_value, float threshold, const TIn* x, TOut* y,
                                            Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float v = static_cast<float>(x[i]);
    // NaN fails both comparisons and comes out as itself; -inf below the threshold gives 0 (not
    // 0 * -inf) when there is no slope.
    y[i] = detail::cast_element<TOut>(v >= max_value  ? max_value
                                      : v < threshold ? (alpha != 0.f ? alpha * (v - threshold) : 0.f)
                                                      : v);
  }
}

// Its derivative: from y (threshold 0, alpha >= 0: y >= max_value exactly on the clipped piece,
// y > 0 exactly on the identity piece), or from x (the kink at the threshold takes the slope from
// below, as plain relu's x = 0 does).
template <class T>
STRATA_ISA_CLONES void relu_general_backward(bool from_y, float alpha, float max_value, float threshold, const T* v,
                                             const T* dy, T* dx, Index b, Index e) {
  const float t = from_y ? 0.f : threshold;
  const bool clips = max_value != std::numeric_limits<float>::infinity();  // relu'(+inf) is 1
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float vi = static_cast<float>(v[i]);
    dx[i] = detail::cast_element<T>(static_cast<float>(dy[i]) * (vi >= max_value && clips ? 0.f
                                                                 : vi > t                 ? 1.f
                                                                                          : alpha));
  }
}

// dx from the output y (or, for relu / leaky relu, from whichever of x, y the caller has:
// both have the same sign).
template <class T>
STRATA_ISA_CLONES void backward_kernel(ActivationKind kind, float alpha, const T* v, const T* dy, T* dx, Index b,
                                       Index e) {
  // dx = dy * f'(v), f' written over the float value u of v.
  const auto each = [&](auto derivative) {
#pragma omp simd
    for (Index i = b; i < e; ++i)
      dx[i] = detail::cast_element<T>(static_cast<float>(dy[i]) * derivative(static_cast<float>(v[i])));
  };
  switch (kind) {
    case ActivationKind::Relu: each([](float u) { return u > 0.f ? 1.f : 0.f; }); break;
    case ActivationKind::LeakyRelu: each([alpha](float u) { return u > 0.f ? 1.f : alpha; }); break;
    case ActivationKind::Sigmoid: each([](float u) { return u * (1.f - u); }); break;
    case ActivationKind::Tanh: each([](float u) { return 1.f - u * u; }); break;
    // y > 0 iff x > 0; for x <= 0, alpha e^x = y + alpha
    case ActivationKind::Elu: each([alpha](float u) { return u > 0.f ? 1.f : u + alpha; }); break;
    case ActivationKind::Selu: {  // scale for x > 0, scale alpha e^x = y + scale alpha else
      const float sa = kSeluScale * kSeluAlpha;
      each([sa](float u) { return u > 0.f ? kSeluScale : u + sa; });
      break;
    }
    case ActivationKind::Softplus:  // sigmoid(x) = 1 - e^-y
      for (Index i = b; i < e; ++i)
        dx[i] = detail::cast_element<T>(static_cast<float>(dy[i]) * -std::expm1(-static_cast<float>(v[i])));
      break;
    default: break;
  }
}

// Selu's derivative from its input: scale for x > 0, scale alpha e^x else (NaN stays NaN).
template <class T>
STRATA_ISA_CLONES void selu_backward_from_input(const T* x, const T* dy, T* dx, Index b, Index e) {
  const float sa = kSeluScale * kSeluAlpha;
  for (Index i = b; i < e; ++i) {
    const float u = static_cast<float>(x[i]);
    dx[i] = detail::cast_element<T>(static_cast<float>(dy[i]) * (u > 0.f ? kSeluScale : sa * std::exp(u)));
  }
}

// Softmax backward over rows of length c: dx = y (dy - sum(dy y)).
template <class T>
STRATA_ISA_CLONES void softmax_backward_kernel(const T* y, const T* dy, T* dx, Index c, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const T* yr = y + r * c;
    const T* gr = dy + r * c;
    T* out = dx + r * c;
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (Index j = 0; j < c; ++j) dot += static_cast<float>(gr[j]) * static_cast<float>(yr[j]);
#pragma omp simd
    for (Index j = 0; j < c; ++j)
      out[j] = detail::cast_element<T>(static_cast<float>(yr[j]) * (static_cast<float>(gr[j]) - dot));
  }
}

// Softmax over rows of length c as written: e^(x - max) / sum. A row holding NaN or +inf comes
// out NaN (x - max is NaN there), one of only -inf too, as in the reference and in Keras. The sum
// is taken before any y is written (each e^(x - max) computed twice), so that y may be bf16 while
// every term stays f32.
template <class TIn, class TOut>
void softmax_exact(const TIn* x, TOut* y, Index c, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const TIn* xr = x + r * c;
    TOut* yr = y + r * c;
    float mx = static_cast<float>(xr[0]);
    for (Index j = 1; j < c; ++j) {
      const float v = static_cast<float>(xr[j]);
      mx = std::isnan(v) || v > mx ? v : mx;
    }
    float sum = 0.f;
    for (Index j = 0; j < c; ++j) sum += std::exp(static_cast<float>(xr[j]) - mx);
    for (Index j = 0; j < c; ++j) yr[j] = detail::cast_element<TOut>(std::exp(static_cast<float>(xr[j]) - mx) / sum);
  }
}

Index last_axis(const Tensor& t) { return t.shape().rank() > 0 ? t.shape()[-1] : 1; }

}  // namespace

void CpuBackend::dnnl_eltwise_forward(ActivationFunction act, const Tensor& x, Tensor& y) {
  const Index n = x.size();
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
  op.bind(kIn, x.raw());
  op.bind(kOut, y.raw());
  ctx_->run(op, "activation_forward (eltwise_forward::execute)");
}

void CpuBackend::dnnl_eltwise_backward(ActivationFunction act, const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Index n = x.size();
  const PrimKey key{{static_cast<Index>(OpId::EltwiseBackward), current_threads(), n, static_cast<Index>(act.kind),
                     key_bits(act.alpha)},
                    dtype_word({x.dtype()})};
  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "activation_backward (eltwise_backward::primitive_desc)", [&](CachedOp& op) {
    const memory::desc md = plain_md({n}, x.dtype());
    // Every activation sent here is one eltwise step from x.
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
  op.bind(kIn, x.raw());
  op.bind(kDiffDst, dy.raw());
  op.bind(kOut, dx.raw());
  ctx_->run(op, "activation_backward (eltwise_backward::execute)");
}

void CpuBackend::dnnl_softmax_forward(const void* x, DType x_dtype, Tensor& y) {
  const Index c = last_axis(y);
  const Index rows = c > 0 ? y.size() / c : 0;
  const PrimKey key{{static_cast<Index>(OpId::Softmax), current_threads(), rows, c}, dtype_word({x_dtype, y.dtype()})};
  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "softmax (softmax_v2_forward::primitive_desc)", [&](CachedOp& op) {
    const memory::desc src = plain_md({rows, c}, x_dtype);
    const memory::desc dst = plain_md({rows, c}, y.dtype());
    const dnnl::softmax_v2_forward::primitive_desc pd(
        dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate, src, dst,
                                       1),
        DnnlContext::attr(), ctx_->engine());
    op.slot[kIn] = ctx_->unbound(src);
    op.slot[kOut] = ctx_->unbound(dst);
    ctx_->add(op, pd, {{DNNL_ARG_SRC, op.slot[kIn]}, {DNNL_ARG_DST, op.slot[kOut]}});
  });
  op.bind(kIn, x);
  op.bind(kOut, y.raw());
  ctx_->run(op, "softmax (softmax_v2_forward::execute)");
}

void CpuBackend::activation_loop(ActivationFunction act, const void* x, DType x_dtype, Tensor& y) {
  const Index n = y.size();
  with_float_type(x_dtype, [&](auto in_type) {
    with_float_type(y.dtype(), [&](auto out_type) {
      using TIn = decltype(in_type);
      using TOut = decltype(out_type);
      const auto* px = static_cast<const TIn*>(x);
      TOut* py = y.data<TOut>();
      if (act.kind == ActivationKind::Softmax) {
        if (magnitude(px, n).finite) {
          dnnl_softmax_forward(x, x_dtype, y);
          return;
        }
        const Index c = last_axis(y);
        parallel_range(n / c, kSerialRows / c, [&](Index r0, Index r1) { softmax_exact(px, py, c, r0, r1); });
      } else if (act.kind == ActivationKind::Relu && !plain_relu(act)) {
        parallel_range(n, kSerialCheap, [&](Index b, Index e) {
          relu_general_forward(act.alpha, act.max_value, act.threshold, px, py, b, e);
        });
      } else {
        parallel_range(n, kSerialCheap, [&](Index b, Index e) { forward_kernel(act.kind, act.alpha, px, py, b, e); });
      }
    });
  });
}

void CpuBackend::activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) {
  const DType dtype = float_form({{&x, DType::BF16}, {&y, DType::BF16}});
  if (x.size() == 0) return;
  switch (act.kind) {
    case ActivationKind::Linear:
      if (x.raw() != y.raw()) copy(x, y);
      return;
    case ActivationKind::Relu:
    case ActivationKind::LeakyRelu:
    case ActivationKind::Softmax: activation_loop(act, x.raw(), dtype, y); return;
    default: dnnl_eltwise_forward(act, x, y); return;
  }
}

void CpuBackend::activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y, const Tensor& dy,
                                     Tensor& dx) {
  const Index n = dy.size();
  const DType dtype = float_form({{&dy, DType::BF16}, {&x, DType::BF16}, {&y, DType::BF16}, {&dx, DType::BF16}});
  if (n == 0) return;
  with_float_type(dtype, [&](auto type) {
    using T = decltype(type);
    const T* pdy = dy.data<const T>();
    T* pdx = dx.data<T>();
    auto from = [&](const Tensor& v) {
      const T* pv = v.data<const T>();
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
        const T* pv = (from_y ? y : x).data<const T>();
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
        const T* py = y.data<const T>();
        parallel_range(n / c, kSerialRows / c,
                       [&](Index r0, Index r1) { softmax_backward_kernel(py, pdy, pdx, c, r0, r1); });
        return;
      }
      case ActivationKind::Selu:
        if (y.defined()) {
          from(y);
        } else {
          const T* px = x.data<const T>();
          parallel_range(n, kSerialHeavy, [&](Index b, Index e) { selu_backward_from_input(px, pdy, pdx, b, e); });
        }
        return;
      case ActivationKind::Sigmoid:
      case ActivationKind::Tanh:
      case ActivationKind::Elu:
      case ActivationKind::Softplus:  // from y, as the contract allows; x only when y is absent
        if (y.defined()) {
          from(y);
        } else {  // only x at hand: oneDNN's backward from the input
          dnnl_eltwise_backward(act, x, dy, dx);
        }
        return;
      case ActivationKind::Gelu:
      case ActivationKind::Swish: dnnl_eltwise_backward(act, x, dy, dx); return;
    }
  });
}

}  // namespace strata::backends
