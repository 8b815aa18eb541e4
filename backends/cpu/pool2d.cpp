// Pooling on NHWC tensors. Average pooling is oneDNN 2.6's pooling_v2 (its JIT kernels vectorise
// over channels), pooling_avg_exclude_padding, Keras's "same" average. Max pooling is the
// backend's own loop, vectorised over channels the same way: oneDNN's drops NaN (it compares
// with "less than" and blends, so a NaN after a window's first element is never taken), while
// the Backend contract asks a window holding a NaN to pool to NaN. Its training forward writes
// each window's first maximum (or first NaN) as a window position into a workspace that lives in
// the caller's OpState (a CpuPoolState, reused while its size fits, so a steady step allocates
// nothing), and backward scatters dy through it. A max backward handed no workspace (no training
// forward before it) finds each window's first maximum from x and y.
//
// bfloat16 tensors take the same paths: the max kernels are templated on the element type (a
// maximum is one of the inputs, so forward rounds nothing; backward sums a bf16 dx's image in an
// f32 scratch and rounds it once), and the oneDNN descriptors take the tensors' dtype.

#include <algorithm>
#include <cstdint>
#include <cstring>
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

enum Slot { kSrc = 0, kDst = 1, kDiffDst = 2, kDiffSrc = 3 };

class CpuPoolState final : public OpState {
 public:
  std::vector<std::uint32_t> position;  // per output element: r * pool_w + s of its maximum
};

struct PoolGeom {
  Index n, h, w, c, oh, ow;
  Pool2DParams p;
  DType dtype;  // every tensor's

  memory::desc src_md() const { return memory::desc({n, c, h, w}, dnnl_dt(dtype), memory::format_tag::nhwc); }
  memory::desc dst_md() const { return memory::desc({n, c, oh, ow}, dnnl_dt(dtype), memory::format_tag::nhwc); }
  // Only average pooling runs on oneDNN.
  static constexpr dnnl::algorithm alg = dnnl::algorithm::pooling_avg_exclude_padding;
  dnnl::pooling_v2_forward::desc forward_desc(dnnl::prop_kind prop) const {
    return dnnl::pooling_v2_forward::desc(prop, alg, src_md(), dst_md(), {p.stride_h, p.stride_w}, {p.pool_h, p.pool_w},
                                          {0, 0}, {p.pad_top, p.pad_left}, {p.pad_bottom, p.pad_right});
  }
  void key(PrimKey& k, std::size_t& i) const {
    for (Index v : {n, h, w, c, oh, ow, static_cast<Index>(p.kind), p.pool_h, p.pool_w, p.stride_h, p.stride_w,
                    p.pad_top, p.pad_bottom, p.pad_left, p.pad_right})
      k.v[i++] = v;
    k.dtypes = dtype_word({dtype});
  }
};

PoolGeom geometry(const Shape& x, const Shape& y, const Pool2DParams& p, DType dtype) {
  return PoolGeom{x[0], x[1], x[2], x[3], y[1], y[2], p, dtype};
}

// Max pooling's backward without a workspace, for image b: dy of each window goes to the first
// position (in row-major order) where x equals the window's y, as oneDNN's workspace would record
// it. dxb is image b's dx, in f32.
template <class T>
STRATA_ISA_CLONES void max_backward_from_output(const PoolGeom& g, const T* x, const T* y, const T* dy, float* dxb,
                                                Index b) {
  const Pool2DParams& p = g.p;
  std::fill(dxb, dxb + g.h * g.w * g.c, 0.f);
  const T* xb = x + b * g.h * g.w * g.c;
  for (Index i = 0; i < g.oh; ++i)
    for (Index j = 0; j < g.ow; ++j) {
      const Index o = ((b * g.oh + i) * g.ow + j) * g.c;
      for (Index ch = 0; ch < g.c; ++ch) {
        const float target = static_cast<float>(y[o + ch]);
        bool done = false;
        for (Index r = 0; r < p.pool_h && !done; ++r) {
          const Index row = i * p.stride_h + r - p.pad_top;
          if (row < 0 || row >= g.h) continue;
          for (Index s = 0; s < p.pool_w; ++s) {
            const Index col = j * p.stride_w + s - p.pad_left;
            if (col < 0 || col >= g.w) continue;
            const Index at = (row * g.w + col) * g.c + ch;
            const float v = static_cast<float>(xb[at]);
            if (v == target || (target != target && v != v)) {
              dxb[at] += static_cast<float>(dy[o + ch]);
              done = true;
              break;
            }
          }
        }
      }
    }
}

// The part of output (i, j)'s window inside the input: window rows [r0, r1) and columns
// [s0, s1), the window's first row `top` and column `left` in input coordinates.
struct Window {
  Index top, left, r0, r1, s0, s1;
};

inline Window window_of(const PoolGeom& g, Index i, Index j) {
  const Pool2DParams& p = g.p;
  const Index top = i * p.stride_h - p.pad_top, left = j * p.stride_w - p.pad_left;
  return {top,
          left,
          std::max<Index>(0, -top),
          std::min<Index>(p.pool_h, g.h - top),
          std::max<Index>(0, -left),
          std::min<Index>(p.pool_w, g.w - left)};
}

// Calls f(offset of the position in its image, window position r * pool_w + s) for each position
// of output (i, j)'s window inside the input, in row-major order.
template <class F>
inline void for_each_in_window(const PoolGeom& g, Index i, Index j, F&& f) {
  const Window win = window_of(g, i, j);
  for (Index r = win.r0; r < win.r1; ++r)
    for (Index s = win.s0; s < win.s1; ++s)
      f(((win.top + r) * g.w + win.left + s) * g.c, static_cast<std::uint32_t>(r * g.p.pool_w + s));
}

// Max pooling: each window's first NaN if it holds one, else its first maximum; with `position`
// not null, the window position it came from. The channel loops are written out (no std::copy
// or std::fill): a window's row of channels is a few vectors, too short for a library call.
// T is a RawElement: bf16 is read as its bits.

template <class T>
STRATA_ISA_CLONES void max_forward_kernel(const PoolGeom& g, const T* x, T* y, std::uint32_t* position, Index b0,
                                          Index b1) {
  const Index c = g.c;
  for (Index b = b0; b < b1; ++b) {
    const T* xb = x + b * g.h * g.w * c;
    for (Index i = 0; i < g.oh; ++i)
      for (Index j = 0; j < g.ow; ++j) {
        const Index o = ((b * g.oh + i) * g.ow + j) * c;
        T* out = y + o;
        std::uint32_t* at = position ? position + o : nullptr;
        bool first = true;
        for_each_in_window(g, i, j, [&](Index offset, std::uint32_t here) {
          const T* in = xb + offset;
          if (first) {
#pragma omp simd
            for (Index ch = 0; ch < c; ++ch) out[ch] = in[ch];
            if (at) {
#pragma omp simd
              for (Index ch = 0; ch < c; ++ch) at[ch] = here;
            }
            first = false;
            return;
          }
          // A NaN, once taken, stays; otherwise a NaN or a larger value is taken.
          const auto take = [&](Index ch) {
            const float o = as_float(out[ch]), v = as_float(in[ch]);
            return o == o && (v != v || v > o);
          };
          if (at) {
#pragma omp simd
            for (Index ch = 0; ch < c; ++ch) {
              const bool t = take(ch);
              out[ch] = t ? in[ch] : out[ch];
              at[ch] = t ? here : at[ch];
            }
          } else {
#pragma omp simd
            for (Index ch = 0; ch < c; ++ch) out[ch] = take(ch) ? in[ch] : out[ch];
          }
        });
      }
  }
}

// Whether no input position lies in two windows (stride at least the window, Keras's default
// pool_size == strides), so backward can write each dx once instead of clearing and adding.
bool windows_disjoint(const Pool2DParams& p) { return p.stride_h >= p.pool_h && p.stride_w >= p.pool_w; }

// Max pooling's backward from the forward's window positions when windows are disjoint, for
// image b (dxb: its dx): each window writes its positions' dx (dy where its maximum was, else 0)
// once, and only the positions no window covers (the input's last rows and columns that "valid"
// pooling leaves out, or the gaps between windows) are cleared beforehand: one pass over dx
// instead of three. It only copies, so bf16 runs on its bits (S = std::uint16_t, +0 is 0), with
// no f32 staging.
template <class S>
STRATA_ISA_CLONES void max_backward_disjoint(const PoolGeom& g, const std::uint32_t* position, const S* dy, S* dxb,
                                             Index b) {
  const Pool2DParams& p = g.p;
  const Index c = g.c;
  // With windows as wide as their stride, only the rows and columns past the last window are
  // uncovered; with gaps between windows, clear everything.
  const bool tiled = p.stride_h == p.pool_h && p.stride_w == p.pool_w;
  const Index covered_rows = std::clamp<Index>(g.oh * p.stride_h - p.pad_top, 0, g.h);
  const Index covered_cols = std::clamp<Index>(g.ow * p.stride_w - p.pad_left, 0, g.w);
  if (!tiled) {
    std::fill(dxb, dxb + g.h * g.w * c, S{0});
  } else {
    for (Index row = 0; row < covered_rows; ++row)
      std::fill(dxb + (row * g.w + covered_cols) * c, dxb + (row + 1) * g.w * c, S{0});
    std::fill(dxb + covered_rows * g.w * c, dxb + g.h * g.w * c, S{0});
  }
  for (Index i = 0; i < g.oh; ++i)
    for (Index j = 0; j < g.ow; ++j) {
      const Index o = ((b * g.oh + i) * g.ow + j) * c;
      const std::uint32_t* at = position + o;
      const S* grad = dy + o;
      for_each_in_window(g, i, j, [&](Index offset, std::uint32_t here) {
        S* d = dxb + offset;
#pragma omp simd
        for (Index ch = 0; ch < c; ++ch) d[ch] = at[ch] == here ? grad[ch] : S{0};
      });
    }
}

// The same for overlapping windows, into an f32 dxb: dx = 0, then each window adds dy where its
// maximum was.
template <class T>
STRATA_ISA_CLONES void max_backward_overlapping(const PoolGeom& g, const std::uint32_t* position, const T* dy,
                                                float* dxb, Index b) {
  const Index c = g.c;
  std::fill(dxb, dxb + g.h * g.w * c, 0.f);
  for (Index i = 0; i < g.oh; ++i)
    for (Index j = 0; j < g.ow; ++j) {
      const Index o = ((b * g.oh + i) * g.ow + j) * c;
      const std::uint32_t* at = position + o;
      const T* grad = dy + o;
      for_each_in_window(g, i, j, [&](Index offset, std::uint32_t here) {
        float* d = dxb + offset;
#pragma omp simd
        for (Index ch = 0; ch < c; ++ch) d[ch] += at[ch] == here ? static_cast<float>(grad[ch]) : 0.f;
      });
    }
}

// to[i] = from[i] between float and bfloat16 (widened exactly, or rounded once).
template <class From, class To>
STRATA_ISA_CLONES void convert(const From* from, To* to, Index n) {
#pragma omp simd
  for (Index i = 0; i < n; ++i) to[i] = detail::cast_element<To>(from[i]);
}

// Batches below this many input elements stay on one thread.
Index serial_batches(const PoolGeom& g) { return g.n * g.h * g.w * g.c < kSerialCheap ? g.n + 1 : 0; }

// Calls image_kernel(b, dxb) for every image b of the batch, over threads, with dxb image b's dx
// as f32: dx's own memory when dx is f32; for a bf16 dx, the thread's f32 scratch, rounded into
// dx once after, so that overlapping windows sum in f32 as the f32 form does.
template <class T, class ImageKernel>
void for_each_dx_image(const PoolGeom& g, T* dx, ImageKernel&& image_kernel) {
  const Index image = g.h * g.w * g.c;
  parallel_range(g.n, serial_batches(g), [&](Index b0, Index b1) {
    for (Index b = b0; b < b1; ++b) {
      if constexpr (std::is_same_v<T, float>) {
        image_kernel(b, dx + b * image);
      } else {
        float* scratch = thread_scratch(image);
        image_kernel(b, scratch);
        convert(scratch, dx + b * image, image);
      }
    }
  });
}

}  // namespace

void CpuBackend::pool2d_forward(const Tensor& x, const Pool2DParams& p, Tensor& y, std::unique_ptr<OpState>* state) {
  const PoolGeom g = geometry(x.shape(), y.shape(), p, float_form({{&x, DType::BF16}, {&y, DType::BF16}}));
  if (y.size() == 0) return;
  if (p.kind == PoolKind::Max) {
    std::uint32_t* position = nullptr;
    if (state) {
      auto* st = dynamic_cast<CpuPoolState*>(state->get());
      if (!st) {
        auto fresh = std::make_unique<CpuPoolState>();
        st = fresh.get();
        *state = std::move(fresh);
      }
      if (st->position.size() < static_cast<std::size_t>(y.size()))
        st->position.resize(static_cast<std::size_t>(y.size()));
      position = st->position.data();
    }
    with_float_type(g.dtype, [&](auto type) {
      using T = RawElement<decltype(type)>;
      const T* px = x.data<const T>();
      T* py = y.data<T>();
      parallel_range(g.n, serial_batches(g),
                     [&](Index b0, Index b1) { max_forward_kernel(g, px, py, position, b0, b1); });
    });
    return;
  }
  // Average pooling keeps no state: its backward needs only the geometry.
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::PoolForward);
  key.v[i++] = current_threads();
  g.key(key, i);

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "pool2d_forward (pooling_v2_forward::primitive_desc)", [&](CachedOp& op) {
    const dnnl::pooling_v2_forward::primitive_desc pd(g.forward_desc(dnnl::prop_kind::forward_inference),
                                                      DnnlContext::attr(), ctx_->engine());
    op.slot[kSrc] = ctx_->unbound(g.src_md());
    op.slot[kDst] = ctx_->unbound(g.dst_md());
    ctx_->add(op, pd, {{DNNL_ARG_SRC, op.slot[kSrc]}, {DNNL_ARG_DST, op.slot[kDst]}});
  });
  op.bind(kSrc, x.raw());
  op.bind(kDst, y.raw());
  ctx_->run(op, "pool2d_forward (pooling_v2_forward::execute)");
}

void CpuBackend::pool2d_backward(const Tensor& x, const Tensor& y, const Tensor& dy, const Pool2DParams& p,
                                 std::unique_ptr<OpState>& state, Tensor& dx) {
  const PoolGeom g =
      geometry(dx.shape(), dy.shape(), p,
               float_form({{&dy, DType::BF16}, {&x, DType::BF16}, {&y, DType::BF16}, {&dx, DType::BF16}}));
  if (dx.size() == 0) return;
  if (dy.size() == 0) {
    std::memset(dx.raw(), 0, dx.bytes());  // +0 in either float type
    return;
  }
  if (p.kind == PoolKind::Max) {
    const auto* st = dynamic_cast<const CpuPoolState*>(state.get());
    with_float_type(g.dtype, [&](auto type) {
      using T = decltype(type);
      const T* pdy = dy.data<const T>();
      T* pdx = dx.data<T>();
      if (st && st->position.size() >= static_cast<std::size_t>(dy.size()) && windows_disjoint(p)) {
        using S = RawElement<T>;
        const auto* sdy = reinterpret_cast<const S*>(pdy);
        auto* sdx = reinterpret_cast<S*>(pdx);
        const std::uint32_t* position = st->position.data();
        const Index image = g.h * g.w * g.c;
        parallel_range(g.n, serial_batches(g), [&](Index b0, Index b1) {
          for (Index b = b0; b < b1; ++b) max_backward_disjoint(g, position, sdy, sdx + b * image, b);
        });
      } else if (st && st->position.size() >= static_cast<std::size_t>(dy.size())) {
        const std::uint32_t* position = st->position.data();
        for_each_dx_image(g, pdx, [&](Index b, float* dxb) { max_backward_overlapping(g, position, pdy, dxb, b); });
      } else {
        const T* px = x.data<const T>();
        const T* py = y.data<const T>();
        for_each_dx_image(g, pdx, [&](Index b, float* dxb) { max_backward_from_output(g, px, py, pdy, dxb, b); });
      }
    });
    return;
  }
  // oneDNN's bf16 average backward adds overlapping windows' shares into dx in bf16; so, when
  // windows overlap, a bf16 dx is computed in f32 (dy widened into the thread's scratch, dx
  // there too) and rounded once.
  const bool staged = g.dtype == DType::BF16 && !windows_disjoint(p);
  PoolGeom pg = g;
  float* dy32 = nullptr;
  float* dx32 = nullptr;
  if (staged) {
    pg.dtype = DType::F32;
    dy32 = thread_scratch(dy.size() + dx.size());
    dx32 = dy32 + dy.size();
    convert(dy.data<const bfloat16>(), dy32, dy.size());
  }
  PrimKey key;
  std::size_t i = 0;
  key.v[i++] = static_cast<Index>(OpId::PoolBackward);
  key.v[i++] = current_threads();
  pg.key(key, i);

  std::lock_guard lock(ctx_->mutex());
  CachedOp& op = ctx_->get(key, "pool2d_backward (pooling_v2_backward::primitive_desc)", [&](CachedOp& op) {
    const dnnl::pooling_v2_forward::primitive_desc hint(pg.forward_desc(dnnl::prop_kind::forward_training),
                                                        ctx_->engine());
    const dnnl::pooling_v2_backward::desc d(PoolGeom::alg, pg.src_md(), pg.dst_md(), {p.stride_h, p.stride_w},
                                            {p.pool_h, p.pool_w}, {0, 0}, {p.pad_top, p.pad_left},
                                            {p.pad_bottom, p.pad_right});
    const dnnl::pooling_v2_backward::primitive_desc pd(d, DnnlContext::attr(), ctx_->engine(), hint);
    op.slot[kDiffDst] = ctx_->unbound(pg.dst_md());
    op.slot[kDiffSrc] = ctx_->unbound(pg.src_md());
    ctx_->add(op, pd, {{DNNL_ARG_DIFF_DST, op.slot[kDiffDst]}, {DNNL_ARG_DIFF_SRC, op.slot[kDiffSrc]}});
  });
  op.bind(kDiffDst, staged ? dy32 : dy.raw());
  op.bind(kDiffSrc, staged ? dx32 : dx.raw());
  ctx_->run(op, "pool2d_backward (pooling_v2_backward::execute)");
  if (staged) convert(dx32, dx.data<bfloat16>(), dx.size());
}

}  // namespace strata::backends
