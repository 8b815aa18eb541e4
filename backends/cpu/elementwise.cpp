// Element-wise ops: dropout (the shared counter-based mask), multiply, add, scale, clip and the
// squared norm. Plain loops, ISA-cloned; they fork only past the kSerial* sizes. Dropout and
// multiply take bfloat16 tensors too (templated on the element type, computed in f32, each result
// rounded once); the dropout draw is the same, so a bf16 mask zeros the positions an f32 one does.

#include <algorithm>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/dropout_mask.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

template <class T>
STRATA_ISA_CLONES void dropout_kernel(const T* x, float rate, float keep_scale, std::uint64_t seed, T* mask, T* y,
                                      Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) {
    const float m = detail::dropout_keeps(seed, static_cast<std::uint64_t>(i), rate) ? keep_scale : 0.f;
    mask[i] = detail::cast_element<T>(m);
    y[i] = detail::cast_element<T>(static_cast<float>(x[i]) * m);
  }
}

template <class T>
STRATA_ISA_CLONES void multiply_kernel(const T* a, const T* b, T* out, Index i0, Index i1) {
#pragma omp simd
  for (Index i = i0; i < i1; ++i) out[i] = detail::cast_element<T>(static_cast<float>(a[i]) * static_cast<float>(b[i]));
}

STRATA_ISA_CLONES
void add_kernel(const float* a, const float* b, float* out, Index i0, Index i1) {
#pragma omp simd
  for (Index i = i0; i < i1; ++i) out[i] = a[i] + b[i];
}

STRATA_ISA_CLONES
void scale_kernel(float* x, float factor, Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) x[i] *= factor;
}

STRATA_ISA_CLONES
void clip_kernel(float* x, float lo, float hi, Index b, Index e) {
#pragma omp simd
  for (Index i = b; i < e; ++i) x[i] = std::min(std::max(x[i], lo), hi);
}

// Squares summed in double: 16 independent partial sums keep the loop vectorised.
STRATA_ISA_CLONES
double sum_squares_kernel(const float* x, Index b, Index e) {
  double total = 0.0;
#pragma omp simd reduction(+ : total)
  for (Index i = b; i < e; ++i) {
    const double v = x[i];
    total += v * v;
  }
  return total;
}

}  // namespace

void CpuBackend::dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) {
  const float keep_scale = 1.f / (1.f - rate);
  with_float_type(float_form({{&x, DType::BF16}, {&mask, DType::BF16}, {&y, DType::BF16}}), [&](auto type) {
    using T = decltype(type);
    const T* px = x.data<const T>();
    T* pm = mask.data<T>();
    T* py = y.data<T>();
    parallel_range(x.size(), kSerialHeavy,
                   [&](Index b, Index e) { dropout_kernel(px, rate, keep_scale, seed, pm, py, b, e); });
  });
}

void CpuBackend::multiply(const Tensor& a, const Tensor& b, Tensor& out) {
  with_float_type(float_form({{&a, DType::BF16}, {&b, DType::BF16}, {&out, DType::BF16}}), [&](auto type) {
    using T = decltype(type);
    const T* pa = a.data<const T>();
    const T* pb = b.data<const T>();
    T* po = out.data<T>();
    parallel_range(out.size(), kSerialCheap, [&](Index i0, Index i1) { multiply_kernel(pa, pb, po, i0, i1); });
  });
}

void CpuBackend::add(const Tensor& a, const Tensor& b, Tensor& out) {
  const float* pa = f32(a);
  const float* pb = f32(b);
  float* po = f32(out);
  parallel_range(out.size(), kSerialCheap, [&](Index i0, Index i1) { add_kernel(pa, pb, po, i0, i1); });
}

void CpuBackend::scale(Tensor& x, float factor) {
  float* px = f32(x);
  parallel_range(x.size(), kSerialCheap, [&](Index b, Index e) { scale_kernel(px, factor, b, e); });
}

void CpuBackend::clip(Tensor& x, float lo, float hi) {
  float* px = f32(x);
  parallel_range(x.size(), kSerialCheap, [&](Index b, Index e) { clip_kernel(px, lo, hi, b, e); });
}

double CpuBackend::sum_squares(const Tensor& x) {
  const float* px = f32(x);
  const Index n = x.size();
  if (n < kSerialCheap || omp_get_max_threads() <= 1 || omp_in_parallel())
    return n > 0 ? sum_squares_kernel(px, 0, n) : 0.0;
  double total = 0.0;
#pragma omp parallel reduction(+ : total)
  {
    const Index threads = omp_get_num_threads();
    const Index t = omp_get_thread_num();
    const Index chunk = (n + threads - 1) / threads;
    const Index b = std::min(n, t * chunk);
    const Index e = std::min(n, b + chunk);
    if (b < e) total += sum_squares_kernel(px, b, e);
  }
  return total;
}

}  // namespace strata::backends
