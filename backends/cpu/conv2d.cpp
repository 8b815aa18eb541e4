// Convolutions: oneDNN 2.6 convolution primitives on NHWC activations, as Keras keeps them, with
// weights in format_tag::any so oneDNN picks its blocked layout and its JIT kernels (plain hwio
// weights would fall back to im2col + gemm, 1.6-5x slower: toolchain.md §1b). Each call reorders
// Keras's (kh, kw, in / groups, out) kernel into that layout (one reorder of a few thousand
// floats, cheap next to the convolution) as the first primitive of the cached chain, so a weight
// update between calls is always seen; backward-weights reorders its blocked dw back into
// Keras's layout as its last primitive (and, for a single input channel, first reorders dy into
// the blocked layout its fastest kernel wants). Bias and activation are fused as post-ops when
// oneDNN has the activation (everything but softmax and thresholded relu, which then run after
// the convolution, in place). Relu without a slope is fused only when the result is known to be
// finite (see result_is_finite): oneDNN's form of it turns NaN into 0.
//
// Keras's dilation d is oneDNN's d - 1; the contract's explicit pads are oneDNN's pad_l / pad_r.
//
// bfloat16 (Keras's mixed_bfloat16): bf16 activations and kernel with an f32 bias forward, a bf16
// dx backward, f32 dw and db from bf16 x and dy; oneDNN accumulates in f32 and rounds once.

#include <cstring>
#include <limits>
#include <mutex>

#include "backends/cpu/conv2d_short_patch.hpp"
#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/dnnl_context.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;
using dnnl::memory;

namespace {

// Forward slots; backward-data uses kDiffDst, kUserWeights, kDiffSrc; backward-weights kSrc,
// kDiffDst, kUserWeights (dw) and kBias (db).
enum Slot { kSrc = 0, kUserWeights = 1, kBias = 2, kDst = 3, kDiffDst = 4, kDiffSrc = 5 };

// Every extent of one convolution, from the tensors' shapes: x (n, h, w, in),
// w (kh, kw, in / groups, out), y (n, oh, ow, out); and the tensors' dtypes (b's is F32 when
// there is no bias: the backward ops' forward hint still describes one).
struct ConvGeom {
  Index n, h, w, in, kh, kw, out, oh, ow, groups;
  Conv2DParams p;
  DType x_dtype, w_dtype, b_dtype, y_dtype;

  memory::dims src_dims() const { return {n, in, h, w}; }
  memory::dims dst_dims() const { return {n, out, oh, ow}; }
  memory::dims weight_dims() const {
    if (groups == 1) return {out, in, kh, kw};
    return {groups, out / groups, in / groups, kh, kw};
  }
  memory::dims strides() const { return {p.stride_h, p.stride_w}; }
  memory::dims dilates() const { return {p.dilation_h - 1, p.dilation_w - 1}; }
  memory::dims pad_l() const { return {p.pad_top, p.pad_left}; }
  memory::dims pad_r() const { return {p.pad_bottom, p.pad_right}; }

  memory::desc src_md() const { return memory::desc(src_dims(), dnnl_dt(x_dtype), memory::format_tag::nhwc); }
  memory::desc dst_md() const { return memory::desc(dst_dims(), dnnl_dt(y_dtype), memory::format_tag::nhwc); }
  memory::desc any_weights_md() const { return any_weights_md(w_dtype); }
  memory::desc any_weights_md(DType dtype) const {
    return memory::desc(weight_dims(), dnnl_dt(dtype), memory::format_tag::any);
  }
  memory::desc bias_md() const { return plain_md({out}, b_dtype); }
  ShortPatchGeom short_patch_geom() const { return {n, h, w, in, kh, kw, out, oh, ow, p}; }
  // Keras's kernel w[p, q, c, o] (o = g * out_per_group + o') seen through oneDNN's logical dims.
  memory::desc keras_weights_md() const {
    const Index ipg = in / groups;
    if (groups == 1) return strided_md({out, in, kh, kw}, {1, out, kw * in * out, in * out}, w_dtype);
    return strided_md({groups, out / groups, ipg, kh, kw}, {out / groups, 1, out, kw * ipg * out, ipg * out}, w_dtype);
  }

  // The key words every convolution op shares (after op id and threads), and the dtypes.
  void key(PrimKey& k, std::size_t& i) const {
    for (Index v : {n, h, w, in, kh, kw, out, oh, ow, groups, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w,
                    p.pad_top, p.pad_bottom, p.pad_left, p.pad_right})
      k.v[i++] = v;
    k.dtypes = dtype_word({x_dtype, w_dtype, b_dtype, y_dtype});
  }
};

// x and y are the input and output sides of the forward convolution (dx and dy for backward data).
ConvGeom geometry(const Tensor& x, const Tensor& w, const Tensor* b, const Tensor& y, const Conv2DParams& p) {
  const Shape &xs = x.shape(), &ws = w.shape(), &ys = y.shape();
  return ConvGeom{xs[0],    xs[1], xs[2],    xs[3], ws[0],     ws[1],     ws[3],
                  ys[1],    ys[2], p.groups, p,     x.dtype(), w.dtype(), b ? b->dtype() : DType::F32,
                  y.dtype()};
}

// Whether every value the convolution computes (products, partial sums, bias) is finite, so that
// an activation whose oneDNN form drops NaN is still exact fused: x, w and b hold no NaN or
// infinity, and k max|x| max|w| + max|b| (k products per output) stays far below FLT_MAX. Proving
// it reads x, w and b; the alternative, the activation as a loop over dst, reads and writes dst.
// When the inputs are not smaller than dst the proof is not attempted (false: take the loop).
Magnitude magnitude_of(const Tensor& t) {
  Magnitude m;
  with_float_type(t.dtype(), [&](auto type) { m = magnitude(t.data<const decltype(type)>(), t.size()); });
  return m;
}

bool result_is_finite(const Tensor& x, const Tensor& w, const Tensor* b, const ConvGeom& g, const Tensor& dst) {
  if (x.size() + w.size() >= dst.size()) return false;
  const Magnitude mx = magnitude_of(x);
  const Magnitude mw = magnitude_of(w);
  const Magnitude mb = b ? magnitude_of(*b) : Magnitude{};
  if (!mx.finite || !mw.finite || !mb.finite) return false;
  const double k = static_cast<double>(g.kh * g.kw * (g.in / g.groups));
  return k * mx.max_abs * mw.max_abs + mb.max_abs < 0.5 * std::numeric_limits<float>::max();
}

bool empty(const ConvGeom& g) {
  return g.n == 0 || g.in == 0 || g.out == 0 || g.oh == 0 || g.ow == 0 || g.h == 0 || g.w == 0;
}

// The forward primitive_desc backward-data needs as its hint.
dnnl::convolution_forward::primitive_desc forward_hint(const ConvGeom& g, dnnl::engine& eng) {
  const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                          g.src_md(), g.any_weights_md(), g.bias_md(), g.dst_md(), g.strides(),
                                          g.dilates(), g.pad_l(), g.pad_r());
  return dnnl::convolution_forward::primitive_desc(d, eng);
}

// Adds `user -> internal` (a reorder into a buffer the op owns) when the layouts differ and
// returns the memory the convolution should read; else returns `user` itself.
memory weights_in(DnnlContext& ctx, CachedOp& op, const memory& user, const memory::desc& internal) {
  if (user.get_desc() == internal) return user;
  op.owned_buffers.push_back(ctx.owned(internal));
  memory blocked = op.owned_buffers.back();
  const dnnl::reorder::primitive_desc rpd(ctx.engine(), user.get_desc(), ctx.engine(), internal, DnnlContext::attr());
  ctx.add(op, rpd, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, blocked}});
  return blocked;
}

}  // namespace

void CpuBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                                const Conv2DParams& p, Tensor& dst) {
  ConvGeom g = geometry(x, w, b, dst, p);
  const DType dtype = float_form({{&x, DType::BF16}, {&w, DType::BF16}, {b, DType::F32}, {&dst, DType::BF16}});
  const float* pb = b ? b->data<const float>() : nullptr;
  if (g.n == 0 || g.out == 0 || g.oh == 0 || g.ow == 0) return;
  // A first layer (3x3 over one to three channels) without activation or with plain relu: the
  // short-patch kernel, relu fused exactly (it keeps NaN), so no finiteness proof is needed.
  if (const ShortPatchGeom sg = g.short_patch_geom();
      short_patch(sg, g.groups) && (act.kind == ActivationKind::Linear || plain_relu(act))) {
    with_float_type(dtype, [&](auto type) {
      using E = RawElement<decltype(type)>;
      short_patch_forward(sg, x.data<const E>(), w.data<const E>(), pb, act.kind == ActivationKind::Relu,
                          dst.data<E>());
    });
    return;
  }
  const bool post_loop = !fusable(act) || (!keeps_nan(act) && !result_is_finite(x, w, b, g, dst));
  const ActivationFunction post = post_loop ? ActivationFunction{} : act;
  if (empty(g) || g.kh == 0 || g.kw == 0) {  // no products: y = act(b)
    const Index rows = dst.size() / g.out;
    with_float_type(dst.dtype(), [&](auto type) {
      using T = decltype(type);
      T* py = dst.data<T>();
      for (Index r = 0; r < rows; ++r)
        for (Index o = 0; o < g.out; ++o) py[r * g.out + o] = detail::cast_element<T>(pb ? pb[o] : 0.f);
    });
    activation_forward(act, dst, dst);
    return;
  }
  // As in dense_forward: a bf16 dst whose activation runs after the convolution is written in
  // f32 first (the thread's scratch) and rounded once by the activation; plain relu commutes with
  // rounding and runs on dst.
  const bool f32_product = dtype == DType::BF16 && post_loop && !plain_relu(act);
  float* product = f32_product ? thread_scratch(dst.size()) : nullptr;
  if (f32_product) g.y_dtype = DType::F32;
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::ConvForward);
  key.v[i++] = current_threads();
  g.key(key, i);
  key.v[i++] = b ? 1 : 0;
  key.v[i++] = static_cast<Index>(post.kind);
  key.v[i++] = key_bits(post.alpha);
  key.v[i++] = key_bits(post.max_value);

  std::unique_lock lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "conv2d_forward (convolution_forward::primitive_desc)", [&](CachedOp& op) {
    dnnl::primitive_attr attr = DnnlContext::attr();
    dnnl::post_ops po;
    for (const EltwiseStep& s : eltwise_steps(post)) po.append_eltwise(1.f, s.alg, s.alpha, s.beta);
    attr.set_post_ops(po);
    const dnnl::convolution_forward::desc d =
        b ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            g.src_md(), g.any_weights_md(), g.bias_md(), g.dst_md(), g.strides(),
                                            g.dilates(), g.pad_l(), g.pad_r())
          : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            g.src_md(), g.any_weights_md(), g.dst_md(), g.strides(), g.dilates(),
                                            g.pad_l(), g.pad_r());
    const dnnl::convolution_forward::primitive_desc pd(d, attr, ctx_->engine());
    op.slot[kSrc] = ctx_->unbound(g.src_md());
    op.slot[kUserWeights] = ctx_->unbound(g.keras_weights_md());
    op.slot[kBias] = ctx_->unbound(g.bias_md());
    op.slot[kDst] = ctx_->unbound(g.dst_md());
    const memory wts = weights_in(*ctx_, op, op.slot[kUserWeights], pd.weights_desc());
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, op.slot[kSrc]}, {DNNL_ARG_WEIGHTS, wts}, {DNNL_ARG_DST, op.slot[kDst]}};
    if (b) args.emplace(DNNL_ARG_BIAS, op.slot[kBias]);
    ctx_->add(op, pd, std::move(args));
  });
  op.bind(kSrc, x.raw());
  op.bind(kUserWeights, w.raw());
  if (b) op.bind(kBias, pb);
  op.bind(kDst, f32_product ? product : dst.raw());
  ctx_->run(op, "conv2d_forward (convolution_forward::execute)");
  lock.unlock();
  if (f32_product)
    activation_loop(act, product, DType::F32, dst);
  else if (post_loop)
    activation_forward(act, dst, dst);
}

void CpuBackend::conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2DParams& p, Tensor& dx) {
  const ConvGeom g = geometry(dx, w, nullptr, dy, p);
  float_form({{&dy, DType::BF16}, {&w, DType::BF16}, {&dx, DType::BF16}});  // checks the dtypes
  if (dx.size() == 0) return;
  if (empty(g) || g.kh == 0 || g.kw == 0) {
    std::memset(dx.raw(), 0, dx.bytes());  // +0 in either float type
    return;
  }
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::ConvBackwardData);
  key.v[i++] = current_threads();
  g.key(key, i);

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "conv2d_backward_data (convolution_backward_data::primitive_desc)", [&](CachedOp& op) {
    const auto hint = forward_hint(g, ctx_->engine());
    const dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src_md(), g.any_weights_md(),
                                                  g.dst_md(), g.strides(), g.dilates(), g.pad_l(), g.pad_r());
    const dnnl::convolution_backward_data::primitive_desc pd(d, DnnlContext::attr(), ctx_->engine(), hint);
    op.slot[kDiffDst] = ctx_->unbound(g.dst_md());
    op.slot[kUserWeights] = ctx_->unbound(g.keras_weights_md());
    op.slot[kDiffSrc] = ctx_->unbound(g.src_md());
    const memory wts = weights_in(*ctx_, op, op.slot[kUserWeights], pd.weights_desc());
    ctx_->add(
        op, pd,
        {{DNNL_ARG_DIFF_DST, op.slot[kDiffDst]}, {DNNL_ARG_WEIGHTS, wts}, {DNNL_ARG_DIFF_SRC, op.slot[kDiffSrc]}});
  });
  op.bind(kDiffDst, dy.raw());
  op.bind(kUserWeights, w.raw());
  op.bind(kDiffSrc, dx.raw());
  ctx_->run(op, "conv2d_backward_data (convolution_backward_data::execute)");
}

void CpuBackend::conv2d_backward_weights(const Tensor& x, const Tensor& dy, const Conv2DParams& p, Tensor& dw,
                                         Tensor* db) {
  const ConvGeom g = geometry(x, dw, db, dy, p);
  // dw and db are the gradients of f32 variables whatever the activations' dtype.
  const DType dtype = float_form({{&x, DType::BF16}, {&dy, DType::BF16}, {&dw, DType::F32}, {db, DType::F32}});
  float* pdw = dw.data<float>();
  float* pdb = db ? db->data<float>() : nullptr;
  if (dw.size() == 0 && (!db || db->size() == 0)) return;
  if (empty(g)) {
    fill(dw, 0.f);
    if (db) fill(*db, 0.f);
    return;
  }
  // The short-patch kernel reads bf16 as its bits (oneDNN's bf16 backward-weights for one input
  // channel took 900 µs on the MNIST convnet's first layer, the kernel less than half).
  if (const ShortPatchGeom sg = g.short_patch_geom(); short_patch(sg, g.groups)) {
    with_float_type(dtype, [&](auto type) {
      using E = RawElement<decltype(type)>;
      short_patch_backward_weights(sg, x.data<const E>(), dy.data<const E>(), pdw, pdb);
    });
    return;
  }
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::ConvBackwardWeights);
  key.v[i++] = current_threads();
  g.key(key, i);
  key.v[i++] = db ? 1 : 0;

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op =
      ctx_->get(key, "conv2d_backward_weights (convolution_backward_weights::primitive_desc)", [&](CachedOp& op) {
        // A single input channel (a first layer) runs backward-weights 2x faster with dy blocked
        // (nChw16c: 256 against 538 µs on the MNIST convnet's first layer at batch 128), which pays
        // for reordering dy first (165 µs); with more input channels NHWC is as fast or faster.
        const bool blocked_dy = g.in == 1 && g.groups == 1;
        const memory::desc dy_md =
            blocked_dy ? memory::desc(g.dst_dims(), dnnl_dt(g.y_dtype), memory::format_tag::any) : g.dst_md();
        const auto alg = dnnl::algorithm::convolution_direct;
        // The forward this is the gradient of reads weights in the activations' dtype (a bf16
        // kernel in bf16 layers), whatever dw's.
        const dnnl::convolution_forward::primitive_desc hint(
            dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, g.src_md(),
                                            g.any_weights_md(g.x_dtype), g.bias_md(), dy_md, g.strides(), g.dilates(),
                                            g.pad_l(), g.pad_r()),
            ctx_->engine());
        const dnnl::convolution_backward_weights::desc d =
            db ? dnnl::convolution_backward_weights::desc(alg, g.src_md(), g.any_weights_md(), g.bias_md(), dy_md,
                                                          g.strides(), g.dilates(), g.pad_l(), g.pad_r())
               : dnnl::convolution_backward_weights::desc(alg, g.src_md(), g.any_weights_md(), dy_md, g.strides(),
                                                          g.dilates(), g.pad_l(), g.pad_r());
        const dnnl::convolution_backward_weights::primitive_desc pd(d, DnnlContext::attr(), ctx_->engine(), hint);
        op.slot[kSrc] = ctx_->unbound(g.src_md());
        op.slot[kDiffDst] = ctx_->unbound(g.dst_md());
        memory dy_mem = op.slot[kDiffDst];
        if (pd.diff_dst_desc() != g.dst_md()) {
          op.owned_buffers.push_back(ctx_->owned(pd.diff_dst_desc()));
          dy_mem = op.owned_buffers.back();
          const dnnl::reorder::primitive_desc rpd(ctx_->engine(), g.dst_md(), ctx_->engine(), pd.diff_dst_desc(),
                                                  DnnlContext::attr());
          ctx_->add(op, rpd, {{DNNL_ARG_FROM, op.slot[kDiffDst]}, {DNNL_ARG_TO, dy_mem}});
        }
        op.slot[kUserWeights] = ctx_->unbound(g.keras_weights_md());
        op.slot[kBias] = ctx_->unbound(g.bias_md());
        const memory::desc internal = pd.diff_weights_desc();
        const bool direct = internal == g.keras_weights_md();
        memory dwts = op.slot[kUserWeights];
        if (!direct) {
          op.owned_buffers.push_back(ctx_->owned(internal));
          dwts = op.owned_buffers.back();
        }
        std::unordered_map<int, memory> args{
            {DNNL_ARG_SRC, op.slot[kSrc]}, {DNNL_ARG_DIFF_DST, dy_mem}, {DNNL_ARG_DIFF_WEIGHTS, dwts}};
        if (db) args.emplace(DNNL_ARG_DIFF_BIAS, op.slot[kBias]);
        ctx_->add(op, pd, std::move(args));
        if (!direct) {
          const dnnl::reorder::primitive_desc rpd(ctx_->engine(), internal, ctx_->engine(), g.keras_weights_md(),
                                                  DnnlContext::attr());
          ctx_->add(op, rpd, {{DNNL_ARG_FROM, dwts}, {DNNL_ARG_TO, op.slot[kUserWeights]}});
        }
      });
  op.bind(kSrc, x.raw());
  op.bind(kDiffDst, dy.raw());
  op.bind(kUserWeights, pdw);
  if (db) op.bind(kBias, pdb);
  ctx_->run(op, "conv2d_backward_weights (convolution_backward_weights::execute)");
}

}  // namespace strata::backends
