#include "backends/cpu/kernels.hpp"

#include <cmath>
#include <limits>
#include <mutex>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STRATA_X86_SQRT 1
#endif

namespace strata::backends::cpu {

namespace {

#ifdef STRATA_X86_SQRT
// 1 / (sqrt(x) + eps). AVX-512: rsqrt14 and rcp14 estimates, each refined by one
// Newton-Raphson step (relative error ~2^-27 each, so the result is within ~2 ulp of the
// correctly rounded one) instead of vsqrtps + vdivps, whose throughput bounds Adam otherwise.
__attribute__((target("avx512f"))) void inv_sqrt_plus_avx512(float* x, Index n, float eps) {
  const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.f), e = _mm512_set1_ps(eps);
  const __m512 zero = _mm512_setzero_ps();
  for (Index i = 0; i < n; i += 16) {
    const __mmask16 lanes = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - i)) - 1u);
    const __m512 v = _mm512_maskz_loadu_ps(lanes, x + i);
    const __mmask16 positive = _mm512_mask_cmp_ps_mask(lanes, v, zero, _CMP_GT_OQ);
    const __m512 r = _mm512_maskz_rsqrt14_ps(positive, v);
    const __m512 s0 = _mm512_mul_ps(v, r);  // ~sqrt(v)
    const __m512 err = _mm512_fnmadd_ps(s0, _mm512_mul_ps(half, r), half);
    const __m512 s = _mm512_maskz_fmadd_ps(positive, s0, err, s0);  // refined; 0 for v <= 0
    const __m512 d = _mm512_add_ps(s, e);
    const __m512 q0 = _mm512_maskz_rcp14_ps(lanes, d);
    const __m512 q = _mm512_fmadd_ps(q0, _mm512_fnmadd_ps(d, q0, one), q0);
    _mm512_mask_storeu_ps(x + i, lanes, q);
  }
}

__attribute__((target("avx"))) void inv_sqrt_plus_avx(float* x, Index n, float eps) {
  const __m256 one = _mm256_set1_ps(1.f), e = _mm256_set1_ps(eps);
  Index i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i, _mm256_div_ps(one, _mm256_add_ps(_mm256_sqrt_ps(_mm256_loadu_ps(x + i)), e)));
  for (; i < n; ++i) x[i] = 1.f / (_mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x[i]))) + eps);
}

void inv_sqrt_plus_sse(float* x, Index n, float eps) {
  const __m128 one = _mm_set1_ps(1.f), e = _mm_set1_ps(eps);
  Index i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(x + i, _mm_div_ps(one, _mm_add_ps(_mm_sqrt_ps(_mm_loadu_ps(x + i)), e)));
  for (; i < n; ++i) x[i] = 1.f / (_mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x[i]))) + eps);
}

using InvSqrtFn = void (*)(float*, Index, float);

InvSqrtFn pick_inv_sqrt() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return inv_sqrt_plus_avx512;
  if (__builtin_cpu_supports("avx")) return inv_sqrt_plus_avx;
  return inv_sqrt_plus_sse;
}

#endif

template <class T>
STRATA_ISA_CLONES Magnitude magnitude_kernel(const T* x, Index b, Index e) {
  // |x| <= FLT_MAX is false exactly for NaN and the infinities; no early exit, so it vectorises.
  int bad = 0;
  float top = 0.f;
#pragma omp simd reduction(| : bad) reduction(max : top)
  for (Index i = b; i < e; ++i) {
    const float a = std::fabs(static_cast<float>(x[i]));
    bad |= !(a <= std::numeric_limits<float>::max());
    top = a > top ? a : top;
  }
  return {bad == 0, top};
}

}  // namespace

template <class T>
Magnitude magnitude(const T* x, Index n) {
  Magnitude merged;
  std::mutex lock;
  parallel_range(n, kSerialCheap, [&](Index b, Index e) {
    const Magnitude part = magnitude_kernel(x, b, e);
    const std::lock_guard guard(lock);
    merged.finite = merged.finite && part.finite;
    merged.max_abs = std::max(merged.max_abs, part.max_abs);
  });
  return merged;
}

template Magnitude magnitude(const float* x, Index n);
template Magnitude magnitude(const bfloat16* x, Index n);

void inv_sqrt_plus_inplace(float* x, Index n, float eps) {
#ifdef STRATA_X86_SQRT
  static const InvSqrtFn impl = pick_inv_sqrt();
  impl(x, n, eps);
#else
  for (Index i = 0; i < n; ++i) x[i] = 1.f / (std::sqrt(x[i]) + eps);
#endif
}

}  // namespace strata::backends::cpu
