#pragma once
// Walking a row-major index space in runs along its last axis, for the ops that read or write
// through strides (broadcasting, reductions, transposes, slices). The ops first coalesce their
// shapes (merging adjacent axes that move together), so the last axis is as long as it can be
// and the run, one vectorised inner loop, does nearly all the work.

#include <array>
#include <cstddef>

#include "backends/cpu/kernels.hpp"
#include "strata/shape.hpp"

namespace strata::backends::cpu {

/// An index space of up to Shape::kMaxRank axes and, for each of N operands, its stride (in
/// elements) along every axis; a stride of 0 repeats the operand along that axis.
template <std::size_t N>
struct StridedSpace {
  int rank = 0;
  std::array<Index, Shape::kMaxRank> dims{};
  std::array<std::array<Index, Shape::kMaxRank>, N> strides{};

  Index size() const {
    Index n = 1;
    for (int k = 0; k < rank; ++k) n *= dims[static_cast<std::size_t>(k)];
    return n;
  }
  Index inner() const { return rank == 0 ? 1 : dims[static_cast<std::size_t>(rank - 1)]; }
  Index inner_stride(std::size_t operand) const {
    return rank == 0 ? 0 : strides[operand][static_cast<std::size_t>(rank - 1)];
  }
  /// Appends an axis (outermost first).
  void push(Index dim, const std::array<Index, N>& operand_strides) {
    const auto k = static_cast<std::size_t>(rank++);
    dims[k] = dim;
    for (std::size_t m = 0; m < N; ++m) strides[m][k] = operand_strides[m];
  }
};

/// Calls run(i, offsets, length) for the elements [i0, i1) of `space` in row-major order, one
/// call per stretch along the last axis: element i + t (t < length) of the space is element
/// offsets[m] + t * space.inner_stride(m) of operand m.
template <std::size_t N, class Run>
void for_each_run(const StridedSpace<N>& space, Index i0, Index i1, Run&& run) {
  if (i0 >= i1) return;
  const auto rank = static_cast<std::size_t>(space.rank);
  std::array<Index, Shape::kMaxRank> index{};
  std::array<Index, N> offsets{};
  Index rest = i0;
  for (std::size_t k = rank; k-- > 0;) {
    index[k] = rest % space.dims[k];
    rest /= space.dims[k];
    for (std::size_t m = 0; m < N; ++m) offsets[m] += index[k] * space.strides[m][k];
  }
  const Index inner = space.inner();
  for (Index i = i0; i < i1;) {
    const Index start = rank == 0 ? 0 : index[rank - 1];
    const Index length = std::min(inner - start, i1 - i);
    run(i, offsets, length);
    i += length;
    if (rank == 0 || i >= i1) break;
    // Advance the odometer by `length` along the last axis (which ends the run or the range).
    index[rank - 1] += length;
    for (std::size_t m = 0; m < N; ++m) offsets[m] += length * space.strides[m][rank - 1];
    for (std::size_t k = rank; k-- > 1 && index[k] == space.dims[k];) {
      for (std::size_t m = 0; m < N; ++m) offsets[m] += space.strides[m][k - 1] - index[k] * space.strides[m][k];
      index[k] = 0;
      ++index[k - 1];
    }
  }
}

}  // namespace strata::backends::cpu
