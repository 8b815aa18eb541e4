// Embedding lookup (a row copy per position) and its gradient (a scatter-add of dy's rows).
// Memory-bound; the backward splits the table's columns between threads, so every thread
// scatters into its own columns of every row and no two threads write the same line.

#include <algorithm>
#include <cstring>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

void CpuBackend::embedding_forward(const Tensor& indices, const Tensor& table, Tensor& y) {
  const std::int32_t* index = indices_of("cpu", indices);
  const float* rows = f32(table);
  float* out = f32(y);
  const Index dim = table.shape()[1];
  check_indices(index, indices.shape(), table.shape()[0]);
  parallel_range(indices.size(), std::max<Index>(1, kSerialCheap / std::max<Index>(dim, 1)), [&](Index b, Index e) {
    for (Index p = b; p < e; ++p)
      std::memcpy(out + p * dim, rows + Index{index[p]} * dim, static_cast<std::size_t>(dim) * sizeof(float));
  });
}

void CpuBackend::embedding_backward(const Tensor& indices, const Tensor& dy, Tensor& dtable) {
  const std::int32_t* index = indices_of("cpu", indices);
  const float* grad_out = f32(dy);
  float* grad_table = f32(dtable);
  const Index dim = dtable.shape()[1];
  const Index positions = indices.size();
  std::fill(grad_table, grad_table + dtable.size(), 0.f);
  // Split by columns when a row is wide enough for each thread to own whole cache lines, else
  // run on one thread (positions * dim adds, cheap next to anything that feeds an Embedding).
  const Index work = positions * dim;
  const Index column_parts = dim >= 32 && work >= kSerialCheap ? std::min<Index>(omp_get_max_threads(), dim / 16) : 1;
  const auto scatter = [&](Index c0, Index c1) {
    for (Index p = 0; p < positions; ++p) {
      float* to = grad_table + Index{index[p]} * dim;
      const float* from = grad_out + p * dim;
      for (Index j = c0; j < c1; ++j) to[j] += from[j];
    }
  };
  if (column_parts <= 1 || omp_in_parallel()) {
    scatter(0, dim);
    return;
  }
#pragma omp parallel num_threads(static_cast <int>(column_parts))
  {
    const Index t = omp_get_thread_num();
    const Index parts = omp_get_num_threads();
    const Index c0 = dim * t / parts / 16 * 16;
    const Index c1 = t + 1 == parts ? dim : dim * (t + 1) / parts / 16 * 16;
    if (c0 < c1) scatter(c0, c1);
  }
}

}  // namespace strata::backends
