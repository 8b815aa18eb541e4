#pragma once
// Building blocks of the cpu backend's own loops (element-wise ops, losses, metrics, optimizer
// updates): a fork-only-when-it-pays parallel range, ISA clones, and a vectorised 1 / sqrt.
//
// Strata builds for baseline x86-64 (SSE2), so a plain loop would never use AVX. Kernels that
// touch many elements are therefore compiled three times with STRATA_ISA_CLONES (AVX-512,
// AVX2+FMA, baseline) and the loader picks one per machine (GNU ifunc). Clones round
// differently from one another only where FMA contracts a multiply-add.

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <source_location>
#include <type_traits>
#include <vector>

#include "backends/cast_element.hpp"
#include "backends/dtype_check.hpp"
#include "strata/tensor.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define STRATA_ISA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define STRATA_ISA_CLONES
#endif

namespace strata::backends::cpu {

using Index = std::int64_t;

/// Element counts below which a loop stays on the calling thread: forking an OpenMP team costs
/// a few µs, more than a cheap pass over 32k floats; heavier per-element work forks sooner.
inline constexpr Index kSerialCheap = Index{1} << 16;  // copy, fill, scale, multiply, relu ...
inline constexpr Index kSerialHeavy = Index{1} << 13;  // dropout hashing, optimizer updates
inline constexpr Index kSerialRows = Index{1} << 15;   // losses / metrics: rows * classes

/// Calls body(begin, end) over [0, n): once on this thread when n < serial_below (or inside a
/// parallel region), else once per OpenMP thread on contiguous, 16-element aligned chunks.
template <class Body>
void parallel_range(Index n, Index serial_below, Body&& body) {
  const int max_threads = omp_get_max_threads();
  if (n < serial_below || max_threads <= 1 || omp_in_parallel()) {
    if (n > 0) body(Index{0}, n);
    return;
  }
#pragma omp parallel
  {
    const Index threads = omp_get_num_threads();
    const Index t = omp_get_thread_num();
    const Index chunk = (((n + threads - 1) / threads) + 15) / 16 * 16;
    const Index begin = std::min(n, t * chunk);
    const Index end = std::min(n, begin + chunk);
    if (begin < end) body(begin, end);
  }
}

/// First row of part `t` when `rows` are split into `parts`: the one partition of a weight
/// matrix's leading axis that split-K dense_forward and the optimizer updates share, so each
/// thread updates the weight rows it read in the forward pass. A write to a cache line that the
/// other core also holds costs ~7 ns here (measured: updating a 784x128 kernel that both threads
/// had read took 22 µs instead of 4 µs), so keeping every line on one core matters.
inline Index row_split(Index rows, Index parts, Index t) { return rows * t / parts; }

/// parallel_range over whole rows of a (rows, row_size) matrix, split with row_split; body gets
/// element ranges. Falls back to parallel_range for vectors.
template <class Body>
void parallel_rows(const Tensor& t, Index serial_below, Body&& body) {
  const Index n = t.size();
  const Index rows = t.shape().rank() >= 2 ? t.shape()[0] : 1;
  const int max_threads = omp_get_max_threads();
  if (rows < max_threads || n < serial_below || max_threads <= 1 || omp_in_parallel()) {
    parallel_range(n, serial_below, body);
    return;
  }
  const Index row_size = n / rows;
#pragma omp parallel
  {
    const Index parts = omp_get_num_threads();
    const Index p = omp_get_thread_num();
    const Index begin = row_split(rows, parts, p) * row_size;
    const Index end = row_split(rows, parts, p + 1) * row_size;
    if (begin < end) body(begin, end);
  }
}

/// What one read of x[0, n) tells about its values: whether all are finite, and the largest |x|.
/// Ops whose fast path (a oneDNN primitive) would turn NaN into a number check first and take an
/// exact path when `finite` is false.
struct Magnitude {
  bool finite = true;
  float max_abs = 0.f;
};
/// Defined for float and bfloat16 elements.
template <class T>
Magnitude magnitude(const T* x, Index n);

/// x[i] = 1 / (sqrt(x[i]) + eps): the denominator of Adam, RMSprop and Adagrad. Within ~2 ulp of
/// the correctly rounded value (AVX-512 refines hardware estimates; other CPUs divide exactly).
void inv_sqrt_plus_inplace(float* x, Index n, float eps);

/// Elements processed per block by kernels that stage values for inv_sqrt_plus_inplace.
inline constexpr Index kSqrtBlock = 512;

/// Calls f(T{}) with T the element type of a float32 tensor (float) or of a bfloat16 one. Kernels
/// templated on T read elements as float (static_cast<float>: exact for bf16), compute in f32,
/// and round each result once into T with detail::cast_element, as Backend::cast rounds.
template <class F>
void with_float_type(DType dtype, F&& f) {
  if (dtype == DType::BF16)
    f(bfloat16{});
  else
    f(float{});
}

/// The type a hand-vectorised or copy-heavy kernel reads T's elements as: float itself, bf16 as
/// its bits (std::uint16_t). GCC keeps a loop of conditional copies of the bfloat16 class scalar
/// (max pooling took 12 ms per MNIST-convnet step so) but vectorises it over a plain integer.
template <class T>
using RawElement = std::conditional_t<std::is_same_v<T, bfloat16>, std::uint16_t, float>;

/// An element read through RawElement, as float: itself, or bf16 bits widened exactly.
inline float as_float(float v) { return v; }
inline float as_float(std::uint16_t bits) { return std::bit_cast<float>(std::uint32_t{bits} << 16); }

/// The elements of an F32 tensor; BackendError naming the calling op for any other dtype
/// (backends/dtype_check.hpp).
inline float* f32(const Tensor& t, const std::source_location& where = std::source_location::current()) {
  if (t.dtype() != DType::F32) [[unlikely]]
    refuse_dtype("cpu", t, DType::F32, where);
  return t.data<float>();
}

/// At least n floats owned by the calling thread, grown only when more are asked for (a steady
/// step allocates nothing): where a bf16 op keeps an f32 intermediate so as to round it once.
/// Valid until the thread's next call.
inline float* thread_scratch(Index n) {
  thread_local std::vector<float> scratch;
  if (scratch.size() < static_cast<std::size_t>(n)) scratch.resize(static_cast<std::size_t>(n));
  return scratch.data();
}

/// The element type a call of an op ported to bfloat16 computes in: BF16 for its bfloat16 form
/// (takes_bf16, which refuses a wrong mix), else F32 once f32 has checked every listed tensor.
inline DType float_form(std::initializer_list<DTypeRole> roles,
                        const std::source_location& where = std::source_location::current()) {
  if (takes_bf16("cpu", roles, where)) return DType::BF16;
  for (const DTypeRole& role : roles)
    if (role.tensor && role.tensor->defined()) f32(*role.tensor, where);
  return DType::F32;
}

}  // namespace strata::backends::cpu
