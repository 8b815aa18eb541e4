// Spatial data movement over NHWC tensors (pad, crop, nearest-neighbour upsampling and its
// adjoint) and the per-channel element-wise ops (affine, bias, spatial dropout, channel scale).
// Memory-bound loops: each works on whole rows of c contiguous channels, ISA-cloned, parallel
// over rows past the kSerial* sizes.

#include <algorithm>
#include <cstring>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/dropout_mask.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

// (n, h, w, c) of a rank-4 NHWC tensor.
struct Nhwc {
  Index n, h, w, c;
};
Nhwc nhwc(const Tensor& t) { return {t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3]}; }

// Rows below which a loop over (rows, row_size) stays serial.
Index serial_rows(Index row_size) { return std::max<Index>(1, kSerialCheap / std::max<Index>(1, row_size)); }

// Output rows [r0, r1) of y (n, H, W, c) = x (n, h, w, c) placed at (top, left), zeros around.
void pad_rows(const float* x, Nhwc in, float* y, Nhwc out, Index top, Index left, Index r0, Index r1) {
  const Index row = out.w * out.c;
  for (Index r = r0; r < r1; ++r) {
    const Index b = r / out.h, i = r % out.h - top;
    float* yr = y + r * row;
    if (i < 0 || i >= in.h) {
      std::fill(yr, yr + row, 0.f);
      continue;
    }
    std::fill(yr, yr + left * out.c, 0.f);
    std::memcpy(yr + left * out.c, x + (b * in.h + i) * in.w * in.c, static_cast<std::size_t>(in.w * in.c) * 4);
    std::fill(yr + (left + in.w) * out.c, yr + row, 0.f);
  }
}

// Input rows [r0, r1) of x (n, h, w, c): each makes size_h output rows of y.
void upsample_rows(const float* x, Nhwc in, Index sh, Index sw, float* y, Index r0, Index r1) {
  const Index out_row = in.w * sw * in.c;
  for (Index r = r0; r < r1; ++r) {
    const float* xr = x + r * in.w * in.c;
    float* first = y + r * sh * out_row;
    for (Index j = 0; j < in.w; ++j)
      for (Index s = 0; s < sw; ++s)
        std::memcpy(first + (j * sw + s) * in.c, xr + j * in.c, static_cast<std::size_t>(in.c) * 4);
    for (Index k = 1; k < sh; ++k) std::memcpy(first + k * out_row, first, static_cast<std::size_t>(out_row) * 4);
  }
}

// Rows [r0, r1) of dx (n, h, w, c): sums of dy over each size_h x size_w block.
STRATA_ISA_CLONES
void upsample_backward_rows(const float* dy, Nhwc out, Index sh, Index sw, float* dx, Index r0, Index r1) {
  const Index c = out.c, w = out.w;
  const Index dy_row = w * sw * c;
  for (Index r = r0; r < r1; ++r) {
    float* dxr = dx + r * w * c;
    std::fill(dxr, dxr + w * c, 0.f);
    for (Index k = 0; k < sh; ++k) {
      const float* g = dy + (r * sh + k) * dy_row;
      for (Index j = 0; j < w; ++j)
        for (Index s = 0; s < sw; ++s) {
          const float* src = g + (j * sw + s) * c;
          float* dst = dxr + j * c;
#pragma omp simd
          for (Index ch = 0; ch < c; ++ch) dst[ch] += src[ch];
        }
    }
  }
}

STRATA_ISA_CLONES
void affine_kernel(const float* x, float scale, float offset, float* y, Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) y[i] = x[i] * scale + offset;
}

STRATA_ISA_CLONES
void add_bias_kernel(const float* x, const float* bias, Index c, float* y, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
#pragma omp simd
    for (Index j = 0; j < c; ++j) yr[j] = xr[j] + bias[j];
  }
}

// Rows [r0, r1) of x viewed as (n * s, c): y = x * scale[row / s].
STRATA_ISA_CLONES
void channel_scale_kernel(const float* x, const float* scale, Index s, Index c, float* y, Index r0, Index r1) {
  for (Index r = r0; r < r1; ++r) {
    const float* m = scale + (r / s) * c;
    const float* xr = x + r * c;
    float* yr = y + r * c;
#pragma omp simd
    for (Index j = 0; j < c; ++j) yr[j] = xr[j] * m[j];
  }
}

}  // namespace

void CpuBackend::pad2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) {
  const Nhwc in = nhwc(x), out = nhwc(y);
  const Index rows = out.n * out.h;
  const float* px = f32(x);
  float* py = f32(y);
  if (y.size() == 0) return;
  parallel_range(rows, serial_rows(out.w * out.c),
                 [&](Index r0, Index r1) { pad_rows(px, in, py, out, top, left, r0, r1); });
}

void CpuBackend::crop2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) {
  const Nhwc in = nhwc(x), out = nhwc(y);
  if (y.size() == 0) return;
  const float* px = f32(x);
  float* py = f32(y);
  const Index row = out.w * out.c;
  parallel_range(out.n * out.h, serial_rows(row), [&](Index r0, Index r1) {
    for (Index r = r0; r < r1; ++r) {
      const Index b = r / out.h, i = r % out.h;
      std::memcpy(py + r * row, px + ((b * in.h + top + i) * in.w + left) * in.c, static_cast<std::size_t>(row) * 4);
    }
  });
}

void CpuBackend::upsample2d_forward(const Tensor& x, std::int64_t size_h, std::int64_t size_w, Tensor& y) {
  const Nhwc in = nhwc(x);
  if (y.size() == 0) return;
  const float* px = f32(x);
  float* py = f32(y);
  parallel_range(in.n * in.h, serial_rows(in.w * in.c * size_h * size_w),
                 [&](Index r0, Index r1) { upsample_rows(px, in, size_h, size_w, py, r0, r1); });
}

void CpuBackend::upsample2d_backward(const Tensor& dy, std::int64_t size_h, std::int64_t size_w, Tensor& dx) {
  const Nhwc out = nhwc(dx);
  if (dx.size() == 0) return;
  const float* pdy = f32(dy);
  float* pdx = f32(dx);
  parallel_range(out.n * out.h, serial_rows(out.w * out.c * size_h * size_w),
                 [&](Index r0, Index r1) { upsample_backward_rows(pdy, out, size_h, size_w, pdx, r0, r1); });
}

void CpuBackend::affine(const Tensor& x, float scale, float offset, Tensor& y) {
  const float* px = f32(x);
  float* py = f32(y);
  parallel_range(x.size(), kSerialCheap, [&](Index b, Index e) { affine_kernel(px, scale, offset, py, b, e); });
}

void CpuBackend::add_bias(const Tensor& x, const Tensor& b, Tensor& y) {
  const Index c = b.size();
  if (c == 0 || x.size() == 0) return;
  const float* px = f32(x);
  const float* pb = f32(b);
  float* py = f32(y);
  parallel_range(x.size() / c, serial_rows(c), [&](Index r0, Index r1) { add_bias_kernel(px, pb, c, py, r0, r1); });
}

void CpuBackend::spatial_dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) {
  const Index n = x.shape()[0];
  const Index c = x.shape()[-1];
  if (x.size() == 0) return;
  const float keep_scale = 1.f / (1.f - rate);
  float* pm = f32(mask);
  for (Index i = 0; i < n * c; ++i)
    pm[i] = detail::dropout_keeps(seed, static_cast<std::uint64_t>(i), rate) ? keep_scale : 0.f;
  channel_scale(x, mask, y);
}

void CpuBackend::channel_scale(const Tensor& x, const Tensor& scale, Tensor& y) {
  const Index n = x.shape()[0];
  const Index c = x.shape()[-1];
  if (x.size() == 0) return;
  const Index s = x.size() / (n * c);
  const float* px = f32(x);
  const float* pm = f32(scale);
  float* py = f32(y);
  parallel_range(n * s, serial_rows(c), [&](Index r0, Index r1) { channel_scale_kernel(px, pm, s, c, py, r0, r1); });
}

}  // namespace strata::backends
