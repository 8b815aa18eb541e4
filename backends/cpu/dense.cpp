// Dense layers' ops: dense_forward is one oneDNN matmul with the bias and the activation fused
// as eltwise post-ops where oneDNN's form keeps NaN (softmax and plain relu run after it, in
// place, through activation_forward: see keeps_nan), or, for a small
// batch through a large kernel, split over k between threads (see use_split_k); matmul reads
// transposed operands through strided descriptors, so no transpose is ever copied; sum_rows
// is a plain vectorised loop, faster than a oneDNN reduction at the sizes a bias gradient has.

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <type_traits>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/dnnl_context.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;
using dnnl::memory;

namespace {

enum Slot { kSrc = 0, kWeights = 1, kBias = 2, kDst = 3 };

// Column sums of x's columns [c0, c1), accumulated in f32 over every row in order: directly in
// an f32 out, else in a stack block of kSumBlock columns rounded into out once at the end.
inline constexpr Index kSumBlock = 512;

template <class T, class Out>
STRATA_ISA_CLONES void sum_rows_kernel(const T* x, Index n, Index m, Index c0, Index c1, Out* out) {
  if constexpr (std::is_same_v<T, float> && std::is_same_v<Out, float>) {
    float* o = out + c0;
    const Index w = c1 - c0;
    for (Index c = 0; c < w; ++c) o[c] = 0.f;
    for (Index r = 0; r < n; ++r) {
      const float* row = x + r * m + c0;
#pragma omp simd
      for (Index c = 0; c < w; ++c) o[c] += row[c];
    }
  } else {
    float acc[kSumBlock];
    for (Index b0 = c0; b0 < c1; b0 += kSumBlock) {
      const Index w = std::min(kSumBlock, c1 - b0);
      for (Index c = 0; c < w; ++c) acc[c] = 0.f;
      for (Index r = 0; r < n; ++r) {
        const T* row = x + r * m + b0;
#pragma omp simd
        for (Index c = 0; c < w; ++c) acc[c] += static_cast<float>(row[c]);
      }
      for (Index c = 0; c < w; ++c) out[b0 + c] = detail::cast_element<Out>(acc[c]);
    }
  }
}

// Split-K pays when the batch is small and the kernel large: oneDNN would split the batch rows,
// so both cores would read (and cache) all of w, and the optimizer's writes to w would then
// invalidate the other core's copy line by line. Split over k instead, each thread reads only
// its row_split share of w: the same share the optimizer updates on the same thread.
bool use_split_k(Index n, Index k, Index m, Index threads) {
  return threads > 1 && n <= 128 && k >= 64 * threads && n * k * m >= (Index{1} << 20);
}

// y[r0:r1] = act(sum of the partial products + b) for Relu / LeakyRelu / Linear (others: no act).
STRATA_ISA_CLONES
void split_k_epilogue(const float* partial, Index parts, Index nm, const float* bias, Index m, ActivationKind kind,
                      float alpha, float* y, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    float* yr = y + r * m;
#pragma omp simd
    for (Index j = 0; j < m; ++j) yr[j] = bias ? bias[j] : 0.f;
    for (Index p = 0; p < parts; ++p) {
      const float* pr = partial + p * nm + r * m;
#pragma omp simd
      for (Index j = 0; j < m; ++j) yr[j] += pr[j];
    }
    if (kind == ActivationKind::Relu) {
#pragma omp simd
      for (Index j = 0; j < m; ++j) yr[j] = yr[j] < 0.f ? 0.f : yr[j];  // NaN stays NaN
    } else if (kind == ActivationKind::LeakyRelu) {
#pragma omp simd
      for (Index j = 0; j < m; ++j) yr[j] = yr[j] >= 0.f ? yr[j] : alpha * yr[j];
    }
  }
}

}  // namespace

void CpuBackend::split_k_dense(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act, Tensor& y,
                               std::int64_t threads) {
  const Index k = w.shape()[0];
  const Index m = w.shape()[1];
  const Index n = x.size() / k;
  const float* px = f32(x);
  const float* pw = f32(w);
  const float* pb = b ? f32(*b) : nullptr;
  float* py = f32(y);
  const PrimKey key{{static_cast<Index>(OpId::DenseSplitK), threads, n, k, m}, dtype_word({x.dtype(), w.dtype()})};
  std::unique_lock lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "dense_forward (split-k matmul::primitive_desc)", [&](CachedOp& op) {
    // Created inside a parallel region, so that oneDNN makes single-threaded primitives.
    op.prims.resize(static_cast<std::size_t>(threads));
    op.args.resize(op.prims.size());
    op.c_args.resize(op.prims.size());
    op.thread_slot.resize(2 * op.prims.size());
    op.thread_stream.resize(op.prims.size());
    // Each thread's partial product, summed by the epilogue: f32 whatever the inputs hold.
    const memory::desc partial_md = plain_md({threads * n, m}, DType::F32);
    op.owned_buffers.push_back(ctx_->owned(partial_md));
    auto* partial = static_cast<float*>(op.owned_buffers.back().get_data_handle());
    std::vector<std::exception_ptr> errors(op.prims.size());
#pragma omp parallel num_threads(static_cast <int>(threads))
    {
      const Index t = omp_get_thread_num();
      const auto st = static_cast<std::size_t>(t);
      try {
        const Index k0 = row_split(k, threads, t), k1 = row_split(k, threads, t + 1);
        const memory::desc src = strided_md({n, k1 - k0}, {k, 1}, x.dtype());
        const memory::desc wts = plain_md({k1 - k0, m}, w.dtype());
        const memory::desc dst = plain_md({n, m}, DType::F32);
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, wts, dst), DnnlContext::attr(), ctx_->engine());
        CachedOp one;
        one.thread_slot = {ctx_->unbound(src), ctx_->unbound(wts)};
        ctx_->add(one, pd,
                  {{DNNL_ARG_SRC, one.thread_slot[0]},
                   {DNNL_ARG_WEIGHTS, one.thread_slot[1]},
                   {DNNL_ARG_DST, dnnl::memory(dst, ctx_->engine(), partial + t * n * m)}});
        op.prims[st] = std::move(one.prims[0]);
        op.args[st] = std::move(one.args[0]);
        op.c_args[st] = std::move(one.c_args[0]);
        op.thread_slot[2 * st] = one.thread_slot[0];
        op.thread_slot[2 * st + 1] = one.thread_slot[1];
        op.thread_stream[st] = dnnl::stream(ctx_->engine());
      } catch (...) {
        errors[st] = std::current_exception();
      }
    }
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  });

  for (Index t = 0; t < threads; ++t) {
    const auto st = static_cast<std::size_t>(t);
    op.thread_slot[2 * st].set_data_handle(const_cast<float*>(px + row_split(k, threads, t)));
    op.thread_slot[2 * st + 1].set_data_handle(const_cast<float*>(pw + row_split(k, threads, t) * m));
  }
  const auto* partial = static_cast<const float*>(op.owned_buffers[0].get_data_handle());
  // The epilogue does plain relu, leaky relu (Relu's negative slope alone is one) and linear.
  const bool relu_slope_only = act.kind == ActivationKind::Relu && act.threshold == 0.f &&
                               act.max_value == std::numeric_limits<float>::infinity();
  const bool fused = relu_slope_only || act.kind == ActivationKind::LeakyRelu || act.kind == ActivationKind::Linear;
  const ActivationKind epilogue_kind = !fused                                ? ActivationKind::Linear
                                       : relu_slope_only && act.alpha != 0.f ? ActivationKind::LeakyRelu
                                                                             : act.kind;
  std::exception_ptr error;
#pragma omp parallel num_threads(static_cast <int>(threads))
  {
    const Index t = omp_get_thread_num();
    const Index parts = omp_get_num_threads();
    // A smaller team than planned runs the missing threads' shares too.
    for (Index s = t; s < threads; s += parts) {
      try {
        DnnlContext::run_one(op, static_cast<std::size_t>(s), op.thread_stream[static_cast<std::size_t>(s)]);
      } catch (...) {
#pragma omp critical(strata_split_k_error)
        error = std::current_exception();
      }
    }
#pragma omp barrier
    split_k_epilogue(partial, threads, n * m, pb, m, epilogue_kind, act.alpha, py, row_split(n, parts, t),
                     row_split(n, parts, t + 1));
  }
  lock.unlock();
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const dnnl::error& e) {
      throw BackendError(detail::concat("oneDNN call failed in dense_forward (split-k matmul::execute): ", e.what()));
    }
  }
  if (!fused) activation_forward(act, y, y);
}

void CpuBackend::dense_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act, Tensor& y) {
  const Index k = w.shape()[0];
  const Index m = w.shape()[1];
  const Index n = m > 0 ? y.size() / m : 0;  // not x.size() / k: k may be 0
  // The bf16 form (mixed_bfloat16's): bf16 x, w and y, an f32 bias; oneDNN multiplies bf16
  // operands accumulating in f32 and adds the bias before rounding y.
  const bool bf16 =
      float_form({{&x, DType::BF16}, {&w, DType::BF16}, {b, DType::F32}, {&y, DType::BF16}}) == DType::BF16;
  const float* pb = b ? b->data<const float>() : nullptr;
  if (n == 0 || m == 0) return;
  if (k == 0) {  // an empty product: y = act(b), which oneDNN has no primitive for (a bf16 y
                 // gets act of b rounded: no product to keep in f32)
    with_float_type(y.dtype(), [&](auto type) {
      using T = decltype(type);
      T* py = y.data<T>();
      for (Index r = 0; r < n; ++r)
        for (Index j = 0; j < m; ++j) py[r * m + j] = detail::cast_element<T>(pb ? pb[j] : 0.f);
    });
    activation_forward(act, y, y);
    return;
  }
  // Split-K's epilogue writes f32; a bf16 layer takes the one matmul.
  if (const Index threads = current_threads(); !bf16 && use_split_k(n, k, m, threads)) {
    split_k_dense(x, w, b, act, y, threads);
    return;
  }
  // An activation oneDNN cannot fuse faithfully (softmax; relu, see keeps_nan) runs after the
  // matmul, in place: a dense output is small next to its weights, so the loop costs less than
  // proving the product finite would (conv2d_forward makes the other choice).
  const bool post_loop = !fusable(act) || !keeps_nan(act);
  const ActivationFunction post = post_loop ? ActivationFunction{} : act;
  // A bf16 y whose activation runs after the matmul is written in f32 first (the thread's
  // scratch) and rounded once by the activation, except for plain relu, which commutes with
  // rounding (monotone, sign- and NaN-keeping), so it runs on y as in f32.
  const bool f32_product = bf16 && post_loop && !plain_relu(act);
  const DType dst_dtype = f32_product ? DType::F32 : y.dtype();
  float* product = f32_product ? thread_scratch(n * m) : nullptr;
  const PrimKey key{
      {static_cast<Index>(OpId::Dense), current_threads(), n, k, m, b ? 1 : 0, static_cast<Index>(post.kind),
       key_bits(post.alpha), key_bits(post.max_value), key_bits(post.threshold)},
      dtype_word({x.dtype(), w.dtype(), b ? b->dtype() : DType::F32, dst_dtype})};

  std::unique_lock lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "dense_forward (matmul::primitive_desc)", [&](CachedOp& op) {
    const memory::desc src = plain_md({n, k}, x.dtype());
    const memory::desc wts = plain_md({k, m}, w.dtype());
    const memory::desc bias = plain_md({1, m}, b ? b->dtype() : DType::F32);
    const memory::desc dst = plain_md({n, m}, dst_dtype);
    dnnl::primitive_attr attr = DnnlContext::attr();
    dnnl::post_ops po;
    for (const EltwiseStep& s : eltwise_steps(post)) po.append_eltwise(1.f, s.alg, s.alpha, s.beta);
    attr.set_post_ops(po);
    const dnnl::matmul::desc desc = b ? dnnl::matmul::desc(src, wts, bias, dst) : dnnl::matmul::desc(src, wts, dst);
    const dnnl::matmul::primitive_desc pd(desc, attr, ctx_->engine());
    op.slot[kSrc] = ctx_->unbound(src);
    op.slot[kWeights] = ctx_->unbound(wts);
    op.slot[kBias] = ctx_->unbound(bias);
    op.slot[kDst] = ctx_->unbound(dst);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, op.slot[kSrc]}, {DNNL_ARG_WEIGHTS, op.slot[kWeights]}, {DNNL_ARG_DST, op.slot[kDst]}};
    if (b) args.emplace(DNNL_ARG_BIAS, op.slot[kBias]);
    ctx_->add(op, pd, std::move(args));
  });
  op.bind(kSrc, x.raw());
  op.bind(kWeights, w.raw());
  if (b) op.bind(kBias, pb);
  op.bind(kDst, f32_product ? product : y.raw());
  ctx_->run(op, "dense_forward (matmul::execute)");
  if (post_loop) {
    lock.unlock();
    if (f32_product)
      activation_loop(act, product, DType::F32, y);
    else
      activation_forward(act, y, y);
  }
}

void CpuBackend::matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) {
  matmul_product(a, transpose_a, b, transpose_b, c, std::source_location::current());
}

void CpuBackend::matmul_product(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c,
                                const std::source_location& where) {
  // Stored shapes (ra, ca) and (rb, cb), after a leading batch axis for 3-D operands; a
  // transposed operand is the same memory read with swapped strides.
  const bool batched = a.shape().rank() == 3;
  const Index batch = batched ? a.shape()[0] : 1;
  const Index ra = a.shape()[-2], ca = a.shape()[-1];
  const Index rb = b.shape()[-2], cb = b.shape()[-1];
  const Index n = transpose_a ? ca : ra;
  const Index k = transpose_a ? ra : ca;
  const Index m = transpose_b ? rb : cb;
  // Both operands float32, or both bfloat16 (oneDNN multiplies bf16 on AMX or avx512_bf16 and
  // accumulates in f32; it has no mixed product); c either: an f32 c is the gradient of an f32
  // variable, a bf16 c the next bf16 activation.
  const bool bf16 = a.dtype() == DType::BF16 && b.dtype() == DType::BF16;
  const void* pa = bf16 ? a.raw() : f32(a, where);
  const void* pb = bf16 ? b.raw() : f32(b, where);
  void* pc = bf16 && c.dtype() == DType::BF16 ? c.raw() : f32(c, where);
  if (batch == 0 || n == 0 || m == 0) return;
  if (k == 0) {
    std::memset(pc, 0, c.bytes());  // +0 in either type
    return;
  }
  const PrimKey key{{static_cast<Index>(batched ? OpId::BatchMatmul : OpId::Matmul), current_threads(), batch, ra, ca,
                     rb, cb, transpose_a ? 1 : 0, transpose_b ? 1 : 0},
                    dtype_word({a.dtype(), b.dtype(), c.dtype()})};

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "matmul (matmul::primitive_desc)", [&](CachedOp& op) {
    // 2-D descriptors for 2-D operands, a leading batch dimension otherwise.
    const auto dims = [&](Index rows, Index cols) {
      return batched ? memory::dims{batch, rows, cols} : memory::dims{rows, cols};
    };
    // The strides that read a stored (rows, cols) operand transposed.
    const auto transposed = [&](Index stored_rows, Index stored_cols) {
      return batched ? memory::dims{stored_rows * stored_cols, 1, stored_cols} : memory::dims{1, stored_cols};
    };
    const memory::desc src =
        transpose_a ? strided_md(dims(n, k), transposed(ra, ca), a.dtype()) : plain_md(dims(n, k), a.dtype());
    const memory::desc wts =
        transpose_b ? strided_md(dims(k, m), transposed(rb, cb), b.dtype()) : plain_md(dims(k, m), b.dtype());
    const memory::desc dst = plain_md(dims(n, m), c.dtype());
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, wts, dst), DnnlContext::attr(), ctx_->engine());
    op.slot[kSrc] = ctx_->unbound(src);
    op.slot[kWeights] = ctx_->unbound(wts);
    op.slot[kDst] = ctx_->unbound(dst);
    ctx_->add(op, pd,
              {{DNNL_ARG_SRC, op.slot[kSrc]}, {DNNL_ARG_WEIGHTS, op.slot[kWeights]}, {DNNL_ARG_DST, op.slot[kDst]}});
  });
  op.bind(kSrc, pa);
  op.bind(kWeights, pb);
  op.bind(kDst, pc);
  ctx_->run(op, "matmul (matmul::execute)");
}

void CpuBackend::sum_rows(const Tensor& x, Tensor& out) {
  const Index m = out.size();
  const Index n = m > 0 ? x.size() / m : 0;
  // A bf16 x sums into either float type: an f32 out is the bias gradient of an f32 variable, a
  // bf16 one stays an activation.
  const DType in = float_form({{&x, DType::BF16}});
  if (in == DType::F32 || out.dtype() != DType::BF16) f32(out);
  with_float_type(in, [&](auto in_type) {
    with_float_type(out.dtype(), [&](auto out_type) {
      using T = decltype(in_type);
      using Out = decltype(out_type);
      const T* px = x.data<const T>();
      Out* po = out.data<Out>();
      // Split the columns between threads (each sums its own columns over every row, in the same
      // order as a serial pass) when there are enough of both.
      if (n * m < kSerialCheap || m < 256) {
        sum_rows_kernel(px, n, m, 0, m, po);
        return;
      }
      parallel_range(m, 0, [&](Index c0, Index c1) { sum_rows_kernel(px, n, m, c0, c1, po); });
    });
  });
}

}  // namespace strata::backends
