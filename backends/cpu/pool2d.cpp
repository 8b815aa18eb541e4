// Pooling: oneDNN 2.6 pooling_v2 on NHWC tensors (its JIT kernels vectorise over channels).
// Max pooling's training forward writes the index of each window's first maximum into a
// workspace that lives in the caller's OpState (a CpuPoolState, reused while its size fits, so a
// steady step allocates nothing) and backward scatters dy through it. Average pooling is
// pooling_avg_exclude_padding, Keras's "same" average. A max backward handed no workspace (no
// training forward before it) finds each window's first maximum from x and y with a loop.
// oneDNN's max pooling drops NaN (vmaxps returns its second operand when one is NaN), so an
// input holding NaN or an infinity is max-pooled by a plain loop instead, where a window holding
// a NaN is NaN as the Backend contract asks; that forward keeps no workspace, and its backward
// is the loop above (the gradient of a NaN window goes to its first NaN).

#include <algorithm>
#include <limits>
#include <mutex>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/dnnl_context.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;
using dnnl::memory;

namespace {

enum Slot { kSrc = 0, kDst = 1, kWorkspace = 2, kDiffDst = 3, kDiffSrc = 4 };

class CpuPoolState final : public OpState {
 public:
  dnnl::memory workspace;
};

struct PoolGeom {
  Index n, h, w, c, oh, ow;
  Pool2DParams p;

  memory::desc src_md() const {
    return memory::desc({n, c, h, w}, memory::data_type::f32, memory::format_tag::nhwc);
  }
  memory::desc dst_md() const {
    return memory::desc({n, c, oh, ow}, memory::data_type::f32, memory::format_tag::nhwc);
  }
  dnnl::algorithm alg() const {
    return p.kind == PoolKind::Max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  }
  dnnl::pooling_v2_forward::desc forward_desc(dnnl::prop_kind prop) const {
    return dnnl::pooling_v2_forward::desc(prop, alg(), src_md(), dst_md(), {p.stride_h, p.stride_w},
                                          {p.pool_h, p.pool_w}, {0, 0}, {p.pad_top, p.pad_left},
                                          {p.pad_bottom, p.pad_right});
  }
  void key(PrimKey& k, std::size_t& i) const {
    for (Index v : {n, h, w, c, oh, ow, static_cast<Index>(p.kind), p.pool_h, p.pool_w, p.stride_h, p.stride_w,
                    p.pad_top, p.pad_bottom, p.pad_left, p.pad_right})
      k.v[i++] = v;
  }
};

PoolGeom geometry(const Shape& x, const Shape& y, const Pool2DParams& p) {
  return PoolGeom{x[0], x[1], x[2], x[3], y[1], y[2], p};
}

// Max pooling's backward without a workspace: dy of each window goes to the first position (in
// row-major order) where x equals the window's y, as oneDNN's workspace would record it.
STRATA_ISA_CLONES
void max_backward_from_output(const PoolGeom& g, const float* x, const float* y, const float* dy, float* dx,
                              Index b0, Index b1) {
  const Pool2DParams& p = g.p;
  for (Index b = b0; b < b1; ++b) {
    float* dxb = dx + b * g.h * g.w * g.c;
    std::fill(dxb, dxb + g.h * g.w * g.c, 0.f);
    const float* xb = x + b * g.h * g.w * g.c;
    for (Index i = 0; i < g.oh; ++i)
      for (Index j = 0; j < g.ow; ++j) {
        const Index o = ((b * g.oh + i) * g.ow + j) * g.c;
        for (Index ch = 0; ch < g.c; ++ch) {
          const float target = y[o + ch];
          bool done = false;
          for (Index r = 0; r < p.pool_h && !done; ++r) {
            const Index row = i * p.stride_h + r - p.pad_top;
            if (row < 0 || row >= g.h) continue;
            for (Index s = 0; s < p.pool_w; ++s) {
              const Index col = j * p.stride_w + s - p.pad_left;
              if (col < 0 || col >= g.w) continue;
              const Index at = (row * g.w + col) * g.c + ch;
              if (xb[at] == target || (target != target && xb[at] != xb[at])) {
                dxb[at] += dy[o + ch];
                done = true;
                break;
              }
            }
          }
        }
      }
  }
}

// Max pooling as written: each window's first NaN if it holds one, else its maximum.
STRATA_ISA_CLONES
void max_forward_exact(const PoolGeom& g, const float* x, float* y, Index b0, Index b1) {
  const Pool2DParams& p = g.p;
  for (Index b = b0; b < b1; ++b) {
    const float* xb = x + b * g.h * g.w * g.c;
    for (Index i = 0; i < g.oh; ++i)
      for (Index j = 0; j < g.ow; ++j) {
        float* out = y + ((b * g.oh + i) * g.ow + j) * g.c;
        std::fill(out, out + g.c, -std::numeric_limits<float>::infinity());
        for (Index r = 0; r < p.pool_h; ++r) {
          const Index row = i * p.stride_h + r - p.pad_top;
          if (row < 0 || row >= g.h) continue;
          for (Index s = 0; s < p.pool_w; ++s) {
            const Index col = j * p.stride_w + s - p.pad_left;
            if (col < 0 || col >= g.w) continue;
            const float* in = xb + (row * g.w + col) * g.c;
            // A NaN, once taken, stays; otherwise a NaN or a larger value is taken.
            for (Index ch = 0; ch < g.c; ++ch)
              if (out[ch] == out[ch] && (in[ch] != in[ch] || in[ch] > out[ch])) out[ch] = in[ch];
          }
        }
      }
  }
}

}  // namespace

void CpuBackend::pool2d_forward(const Tensor& x, const Pool2DParams& p, Tensor& y,
                                std::unique_ptr<OpState>* state) {
  const PoolGeom g = geometry(x.shape(), y.shape(), p);
  if (y.size() == 0) return;
  if (p.kind == PoolKind::Max && !magnitude(f32(x), x.size()).finite) {
    const float* px = f32(x);
    float* py = f32(y);
    parallel_range(g.n, g.n * g.h * g.w * g.c < kSerialCheap ? g.n + 1 : 0,
                   [&](Index b0, Index b1) { max_forward_exact(g, px, py, b0, b1); });
    if (state) state->reset();
    return;
  }
  const bool training = state != nullptr && p.kind == PoolKind::Max;
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::PoolForward);
  key.v[i++] = current_threads();
  g.key(key, i);
  key.v[i++] = training ? 1 : 0;

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "pool2d_forward (pooling_v2_forward::primitive_desc)", [&](CachedOp& op) {
    const auto prop = training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    const dnnl::pooling_v2_forward::primitive_desc pd(g.forward_desc(prop), DnnlContext::attr(), ctx_->engine());
    op.slot[kSrc] = ctx_->unbound(g.src_md());
    op.slot[kDst] = ctx_->unbound(g.dst_md());
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, op.slot[kSrc]}, {DNNL_ARG_DST, op.slot[kDst]}};
    if (training) {
      op.slot[kWorkspace] = ctx_->unbound(pd.workspace_desc());
      args.emplace(DNNL_ARG_WORKSPACE, op.slot[kWorkspace]);
    }
    ctx_->add(op, pd, std::move(args));
  });
  if (training) {
    auto* st = dynamic_cast<CpuPoolState*>(state->get());
    const memory::desc ws_md = op.slot[kWorkspace].get_desc();
    if (!st || !st->workspace || st->workspace.get_desc().get_size() < ws_md.get_size()) {
      auto fresh = std::make_unique<CpuPoolState>();
      fresh->workspace = ctx_->owned(ws_md);
      st = fresh.get();
      *state = std::move(fresh);
    }
    op.bind(kWorkspace, st->workspace.get_data_handle());
  }
  op.bind(kSrc, x.raw());
  op.bind(kDst, y.raw());
  ctx_->run(op, "pool2d_forward (pooling_v2_forward::execute)");
}

void CpuBackend::pool2d_backward(const Tensor& x, const Tensor& y, const Tensor& dy, const Pool2DParams& p,
                                 std::unique_ptr<OpState>& state, Tensor& dx) {
  const PoolGeom g = geometry(dx.shape(), dy.shape(), p);
  if (dx.size() == 0) return;
  if (dy.size() == 0) {
    fill(dx, 0.f);
    return;
  }
  const bool max = p.kind == PoolKind::Max;
  auto* st = dynamic_cast<CpuPoolState*>(state.get());
  if (max && (!st || !st->workspace)) {
    const float* px = f32(x);
    const float* py = f32(y);
    const float* pdy = f32(dy);
    float* pdx = f32(dx);
    parallel_range(g.n, g.n * g.h * g.w * g.c < kSerialCheap ? g.n + 1 : 0, [&](Index b0, Index b1) {
      max_backward_from_output(g, px, py, pdy, pdx, b0, b1);
    });
    return;
  }
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::PoolBackward);
  key.v[i++] = current_threads();
  g.key(key, i);

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "pool2d_backward (pooling_v2_backward::primitive_desc)", [&](CachedOp& op) {
    const dnnl::pooling_v2_forward::primitive_desc hint(g.forward_desc(dnnl::prop_kind::forward_training),
                                                        ctx_->engine());
    const dnnl::pooling_v2_backward::desc d(g.alg(), g.src_md(), g.dst_md(), {p.stride_h, p.stride_w},
                                            {p.pool_h, p.pool_w}, {0, 0}, {p.pad_top, p.pad_left},
                                            {p.pad_bottom, p.pad_right});
    const dnnl::pooling_v2_backward::primitive_desc pd(d, DnnlContext::attr(), ctx_->engine(), hint);
    op.slot[kDiffDst] = ctx_->unbound(g.dst_md());
    op.slot[kDiffSrc] = ctx_->unbound(g.src_md());
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, op.slot[kDiffDst]},
                                         {DNNL_ARG_DIFF_SRC, op.slot[kDiffSrc]}};
    if (max) {
      op.slot[kWorkspace] = ctx_->unbound(pd.workspace_desc());
      args.emplace(DNNL_ARG_WORKSPACE, op.slot[kWorkspace]);
    }
    ctx_->add(op, pd, std::move(args));
  });
  if (max) op.bind(kWorkspace, st->workspace.get_data_handle());
  op.bind(kDiffDst, dy.raw());
  op.bind(kDiffSrc, dx.raw());
  ctx_->run(op, "pool2d_backward (pooling_v2_backward::execute)");
}

}  // namespace strata::backends
