#include "backends/cpu/conv2d_short_patch.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_SHORT_PATCH 1
#endif

namespace strata::backends::cpu {

#ifdef STRATA_SHORT_PATCH

namespace {

constexpr Index kLanes = 16;  // floats per AVX-512 register

// Every lane: the integer intrinsics are used in their maskz forms, since GCC 12 warns that the
// plain ones' undefined pass-through operand may be read.
constexpr __mmask16 kAll = 0xffff;

__attribute__((target("avx512f"))) inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
__attribute__((target("avx512f"))) inline __m512 load16(const std::uint16_t* p) {
  const __m512i widened = _mm512_maskz_cvtepu16_epi32(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(kAll, widened, 16));
}

// The outputs i in [0, count) whose input row (or column) i * stride + offset lies in [0, size).
Index first_inside(Index offset, Index stride) { return offset >= 0 ? 0 : (-offset + stride - 1) / stride; }
Index end_inside(Index offset, Index stride, Index size, Index count) {
  return offset >= size ? 0 : std::min(count, (size - 1 - offset) / stride + 1);
}

// acc[t * out + o] += sum over the pixels in [i0, i1) x [j0, j1) (all of whose taps lie inside
// the image) of x(patch tap t) * dy[o], and acc[Taps * out + o] += the sum of dy[o]. `tap` holds
// each tap's offset from the patch's first input element.
template <int Taps, class E>
__attribute__((target("avx512f"))) void interior_sums(const ShortPatchGeom& g, const Index* tap, const E* x,
                                                      const E* dy, Index i0, Index i1, Index j0, Index j1, float* acc) {
  const Conv2DParams& p = g.p;
  for (Index o0 = 0; o0 < g.out; o0 += kLanes) {
    __m512 sum[Taps + 1];
    for (int t = 0; t <= Taps; ++t) sum[t] = _mm512_setzero_ps();
    for (Index i = i0; i < i1; ++i)
      for (Index j = j0; j < j1; ++j) {
        const __m512 d = load16(dy + (i * g.ow + j) * g.out + o0);
        const E* patch = x + ((i * p.stride_h - p.pad_top) * g.w + j * p.stride_w - p.pad_left) * g.in;
        for (int t = 0; t < Taps; ++t) sum[t] = _mm512_fmadd_ps(_mm512_set1_ps(as_float(patch[tap[t]])), d, sum[t]);
        sum[Taps] = _mm512_add_ps(sum[Taps], d);
      }
    for (int t = 0; t <= Taps; ++t) {
      float* a = acc + t * g.out + o0;
      _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), sum[t]));
    }
  }
}

// The same sums for pixel (i, j) alone, skipping the taps that fall in the padding.
template <class E>
void border_sums(const ShortPatchGeom& g, const E* x, const E* dy, Index i, Index j, float* acc) {
  const Conv2DParams& p = g.p;
  const E* d = dy + (i * g.ow + j) * g.out;
  float* bias = acc + g.kh * g.kw * g.in * g.out;
  for (Index o = 0; o < g.out; ++o) bias[o] += as_float(d[o]);
  for (Index r = 0; r < g.kh; ++r) {
    const Index row = i * p.stride_h - p.pad_top + r * p.dilation_h;
    if (row < 0 || row >= g.h) continue;
    for (Index s = 0; s < g.kw; ++s) {
      const Index col = j * p.stride_w - p.pad_left + s * p.dilation_w;
      if (col < 0 || col >= g.w) continue;
      for (Index ci = 0; ci < g.in; ++ci) {
        const float v = as_float(x[(row * g.w + col) * g.in + ci]);
        float* a = acc + ((r * g.kw + s) * g.in + ci) * g.out;
        for (Index o = 0; o < g.out; ++o) a[o] += v * as_float(d[o]);
      }
    }
  }
}

// Where an image's patches lie: each tap's offset from the patch's first input element (tap
// t = (r * kw + s) * in + ci, Keras's kernel layout), and the output pixels [i0, i1) x [j0, j1)
// whose whole patch is inside the image (interior rows need the first and the last tap row
// inside, likewise columns).
template <int Taps>
struct Patches {
  std::array<Index, Taps> tap;
  Index i0, i1, j0, j1;

  explicit Patches(const ShortPatchGeom& g) {
    const Conv2DParams& p = g.p;
    for (Index r = 0, t = 0; r < g.kh; ++r)
      for (Index s = 0; s < g.kw; ++s)
        for (Index ci = 0; ci < g.in; ++ci) tap[t++] = (r * p.dilation_h * g.w + s * p.dilation_w) * g.in + ci;
    const Index last_row = (g.kh - 1) * p.dilation_h - p.pad_top, last_col = (g.kw - 1) * p.dilation_w - p.pad_left;
    i0 = first_inside(-p.pad_top, p.stride_h);
    i1 = std::max(i0, end_inside(last_row, p.stride_h, g.h, g.oh));
    j0 = first_inside(-p.pad_left, p.stride_w);
    j1 = std::max(j0, end_inside(last_col, p.stride_w, g.w, g.ow));
  }
  bool interior(Index i, Index j) const { return i >= i0 && i < i1 && j >= j0 && j < j1; }
};

// One image's sums in float, in Keras's kernel layout, then the bias's: the pixels whose whole
// patch is inside the image in registers, the others one by one.
template <int Taps, class E>
void image_sums(const ShortPatchGeom& g, const E* x, const E* dy, float* acc) {
  std::fill(acc, acc + (Taps + 1) * g.out, 0.f);
  const Patches<Taps> patches(g);
  interior_sums<Taps, E>(g, patches.tap.data(), x, dy, patches.i0, patches.i1, patches.j0, patches.j1, acc);
  for (Index i = 0; i < g.oh; ++i)
    for (Index j = 0; j < g.ow; ++j)
      if (!patches.interior(i, j)) border_sums(g, x, dy, i, j, acc);
}

// 16 outputs stored as f32, or rounded to bf16 (round to nearest even, NaN kept quiet: the
// bfloat16 class's rule, in AVX-512F integer arithmetic).
__attribute__((target("avx512f"))) inline void store16(float* p, __m512 v) { _mm512_storeu_ps(p, v); }
__attribute__((target("avx512f"))) inline void store16(std::uint16_t* p, __m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i high = _mm512_maskz_srli_epi32(kAll, u, 16);
  const __m512i lsb = _mm512_and_si512(high, _mm512_set1_epi32(1));
  const __m512i rounded =
      _mm512_maskz_srli_epi32(kAll, _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb), 16);
  const __m512i quiet = _mm512_or_si512(high, _mm512_set1_epi32(0x40));
  const __m512i bits = _mm512_mask_blend_epi32(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), rounded, quiet);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_maskz_cvtepi32_epi16(kAll, bits));
}

// One image's forward: y(pixel, o) = b[o] + the sum over its patch's taps of x * w[tap, o], then
// relu when asked (v < 0 ? 0 : v, which keeps NaN). G blocks of 16 output channels at a time,
// their Taps x G weight vectors held in registers across the image's pixels, so each tap's x is
// broadcast once for G blocks; x is read as f32 (a bf16 image is widened into xs first, so the
// broadcasts are plain loads); pixels whose patch reaches into the padding skip those taps.
template <int Taps, int G, class E>
__attribute__((target("avx512f"))) void image_forward(const ShortPatchGeom& g, const float* xs, const E* w,
                                                      const float* b, bool relu, E* y) {
  const Conv2DParams& p = g.p;
  const Patches<Taps> patches(g);
  const __m512 zero = _mm512_setzero_ps();
  for (Index o0 = 0; o0 < g.out; o0 += G * kLanes) {
    __m512 wt[Taps][G];
    __m512 bias[G];
    for (int k = 0; k < G; ++k) {
      for (int t = 0; t < Taps; ++t) wt[t][k] = load16(w + t * g.out + o0 + k * kLanes);
      bias[k] = b ? _mm512_loadu_ps(b + o0 + k * kLanes) : zero;
    }
    for (Index i = 0; i < g.oh; ++i)
      for (Index j = 0; j < g.ow; ++j) {
        __m512 acc[G];
        for (int k = 0; k < G; ++k) acc[k] = bias[k];
        const Index top = i * p.stride_h - p.pad_top, left = j * p.stride_w - p.pad_left;
        if (patches.interior(i, j)) {
          const float* patch = xs + (top * g.w + left) * g.in;
          for (int t = 0; t < Taps; ++t) {
            const __m512 v = _mm512_set1_ps(patch[patches.tap[t]]);
            for (int k = 0; k < G; ++k) acc[k] = _mm512_fmadd_ps(v, wt[t][k], acc[k]);
          }
        } else {
          for (Index r = 0, t = 0; r < g.kh; ++r)
            for (Index s = 0; s < g.kw; ++s)
              for (Index ci = 0; ci < g.in; ++ci, ++t) {
                const Index row = top + r * p.dilation_h, col = left + s * p.dilation_w;
                if (row < 0 || row >= g.h || col < 0 || col >= g.w) continue;
                const __m512 v = _mm512_set1_ps(xs[(row * g.w + col) * g.in + ci]);
                for (int k = 0; k < G; ++k) acc[k] = _mm512_fmadd_ps(v, wt[t][k], acc[k]);
              }
        }
        E* out = y + (i * g.ow + j) * g.out + o0;
        for (int k = 0; k < G; ++k) {
          if (relu) acc[k] = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(acc[k], zero, _CMP_LT_OQ), acc[k], zero);
          store16(out + k * kLanes, acc[k]);
        }
      }
  }
}

template <class E>
void forward(const ShortPatchGeom& g, const E* x, const E* w, const float* b, bool relu, E* y) {
  const Index image_in = g.h * g.w * g.in, image_out = g.oh * g.ow * g.out;
  // Two blocks per pass when their 9-tap weights fit in registers beside the sums (18 + 2 of 32).
  const auto one_image = g.in == 3                   ? image_forward<27, 1, E>
                         : g.out % (2 * kLanes) == 0 ? image_forward<9, 2, E>
                                                     : image_forward<9, 1, E>;
#pragma omp parallel if (g.n > 1 && !omp_in_parallel())
  {
    const Index parts = omp_get_num_threads(), t = omp_get_thread_num();
    // The thread's f32 copy of a bf16 image, kept so that a steady step allocates nothing.
    thread_local std::vector<float> widened;
    if constexpr (!std::is_same_v<E, float>) widened.resize(static_cast<std::size_t>(image_in));
    for (Index n = row_split(g.n, parts, t); n < row_split(g.n, parts, t + 1); ++n) {
      const E* image = x + n * image_in;
      const float* xs;
      if constexpr (std::is_same_v<E, float>) {
        xs = image;
      } else {
        for (Index k = 0; k < image_in; ++k) widened[static_cast<std::size_t>(k)] = as_float(image[k]);
        xs = widened.data();
      }
      one_image(g, xs, w, b, relu, y + n * image_out);
    }
  }
}

template <class E>
void backward_weights(const ShortPatchGeom& g, const E* x, const E* dy, float* dw, float* db) {
  const Index sums = (g.kh * g.kw * g.in + 1) * g.out;
  // The calling thread's scratch, kept so that a steady training step allocates nothing.
  thread_local std::vector<float> per_image;
  per_image.resize(static_cast<std::size_t>(g.n * sums));
  float* partial = per_image.data();
  const Index image_in = g.h * g.w * g.in, image_out = g.oh * g.ow * g.out;
  const auto one_image = g.in == 1 ? image_sums<9, E> : image_sums<27, E>;
#pragma omp parallel if (g.n > 1 && !omp_in_parallel())
  {
    const Index parts = omp_get_num_threads(), t = omp_get_thread_num();
    for (Index b = row_split(g.n, parts, t); b < row_split(g.n, parts, t + 1); ++b)
      one_image(g, x + b * image_in, dy + b * image_out, partial + b * sums);
  }
  const Index weights = sums - g.out;
  parallel_range(sums, kSerialHeavy, [&](Index k0, Index k1) {
    for (Index k = k0; k < k1; ++k) {
      double total = 0.0;
      for (Index b = 0; b < g.n; ++b) total += partial[b * sums + k];
      if (k < weights)
        dw[k] = static_cast<float>(total);
      else if (db)
        db[k - weights] = static_cast<float>(total);
    }
  });
}

}  // namespace

bool short_patch(const ShortPatchGeom& g, Index groups) {
  static const bool avx512 = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f"));
  // 3x3 over 1 or 3 channels: 9 or 27 sums and dy's own, at most 28 of the 32 registers.
  return avx512 && groups == 1 && g.kh == 3 && g.kw == 3 && (g.in == 1 || g.in == 3) && g.out % kLanes == 0;
}

void short_patch_forward(const ShortPatchGeom& g, const float* x, const float* w, const float* b, bool relu, float* y) {
  forward(g, x, w, b, relu, y);
}

void short_patch_forward(const ShortPatchGeom& g, const std::uint16_t* x, const std::uint16_t* w, const float* b,
                         bool relu, std::uint16_t* y) {
  forward(g, x, w, b, relu, y);
}

void short_patch_backward_weights(const ShortPatchGeom& g, const float* x, const float* dy, float* dw, float* db) {
  backward_weights(g, x, dy, dw, db);
}

void short_patch_backward_weights(const ShortPatchGeom& g, const std::uint16_t* x, const std::uint16_t* dy, float* dw,
                                  float* db) {
  backward_weights(g, x, dy, dw, db);
}

#else

bool short_patch(const ShortPatchGeom&, Index) { return false; }
void short_patch_forward(const ShortPatchGeom&, const float*, const float*, const float*, bool, float*) {}
void short_patch_forward(const ShortPatchGeom&, const std::uint16_t*, const std::uint16_t*, const float*, bool,
                         std::uint16_t*) {}
void short_patch_backward_weights(const ShortPatchGeom&, const float*, const float*, float*, float*) {}
void short_patch_backward_weights(const ShortPatchGeom&, const std::uint16_t*, const std::uint16_t*, float*, float*) {}

#endif

}  // namespace strata::backends::cpu
