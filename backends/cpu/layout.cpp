// Moving elements between layouts: transpose and the slices concatenation is made of. All are
// copies in runs (see strided.hpp); a transpose that swaps the two innermost axes, the one a
// matmul operand or Dot's axes need, copies 32 x 32 tiles so both sides stay in cache
// ((1024, 1024), one thread: 0.9 ms, against 13.7 ms reading down the columns).

#include <cstring>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/cpu/strided.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

constexpr Index kTile = 32;

STRATA_ISA_CLONES
void gather_kernel(const float* x, Index stride, float* out, Index n) {
#pragma omp simd
  for (Index i = 0; i < n; ++i) out[i] = x[i * stride];
}

// out[r, c] = x[c * x_stride + r] (out row-major with `cols` columns) for one tile: out rows
// [r0, r1), columns [c0, c1).
STRATA_ISA_CLONES
void transpose_tile(const float* x, Index x_stride, float* out, Index cols, Index r0, Index r1, Index c0, Index c1) {
  for (Index r = r0; r < r1; ++r)
#pragma omp simd
    for (Index c = c0; c < c1; ++c) out[r * cols + c] = x[c * x_stride + r];
}

// Copies `space` runs: operand 0 is the source, operand 1 the destination.
void copy_runs(const StridedSpace<2>& space, const float* src, float* dst, Index total) {
  parallel_range(total, kSerialCheap, [&](Index i0, Index i1) {
    for_each_run(space, i0, i1, [&](Index, const std::array<Index, 2>& at, Index n) {
      std::memcpy(dst + at[1], src + at[0], static_cast<std::size_t>(n) * sizeof(float));
    });
  });
}

// x viewed as (outer, x_axis, inner) and `part` as (outer, part_axis, inner): the space of
// part's elements in runs of part_axis * inner, with part's and the whole's strides.
StridedSpace<2> along_axis(const Shape& part, const Shape& whole, int axis) {
  Index outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k) outer *= part.dims()[static_cast<std::size_t>(k)];
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < part.rank(); ++k) inner *= part.dims()[k];
  const Index part_row = part.dims()[static_cast<std::size_t>(axis)] * inner;
  const Index whole_row = whole.dims()[static_cast<std::size_t>(axis)] * inner;
  StridedSpace<2> space;
  space.push(outer, {part_row, whole_row});
  space.push(part_row, {1, 1});
  return space;
}

}  // namespace

void CpuBackend::transpose(const Tensor& x, std::span<const int> perm, Tensor& out) {
  const Shape& xs = x.shape();
  // Drop size-1 axes, renumber the rest, then merge out axes that are adjacent, in order, in x.
  std::array<int, Shape::kMaxRank> renumber{};
  std::array<Index, Shape::kMaxRank> x_dims{};
  int x_rank = 0;
  for (std::size_t k = 0; k < xs.rank(); ++k) {
    renumber[k] = xs.dims()[k] == 1 ? -1 : x_rank;
    if (xs.dims()[k] != 1) x_dims[static_cast<std::size_t>(x_rank++)] = xs.dims()[k];
  }
  std::array<Index, Shape::kMaxRank> x_strides{};
  Index stride = 1;
  for (int k = x_rank; k-- > 0;) {
    x_strides[static_cast<std::size_t>(k)] = stride;
    stride *= x_dims[static_cast<std::size_t>(k)];
  }
  // Out's axes as (x axis first, x axis last) groups.
  std::array<int, Shape::kMaxRank> first{}, last{};
  int m = 0;
  for (const int p : perm) {
    const int a = renumber[static_cast<std::size_t>(p)];
    if (a < 0) continue;
    if (m > 0 && last[static_cast<std::size_t>(m - 1)] + 1 == a) {
      last[static_cast<std::size_t>(m - 1)] = a;
    } else {
      first[static_cast<std::size_t>(m)] = last[static_cast<std::size_t>(m)] = a;
      ++m;
    }
  }
  StridedSpace<2> space;
  Index out_stride = out.size();
  for (int k = 0; k < m; ++k) {
    const auto u = static_cast<std::size_t>(k);
    Index d = 1;
    for (int a = first[u]; a <= last[u]; ++a) d *= x_dims[static_cast<std::size_t>(a)];
    out_stride /= d;
    space.push(d, {x_strides[static_cast<std::size_t>(last[u])], out_stride});
  }
  const float* px = f32(x);
  float* po = f32(out);
  if (space.inner_stride(0) == 1) {  // the innermost axis stays innermost: contiguous runs
    copy_runs(space, px, po, out.size());
    return;
  }
  const std::size_t r = static_cast<std::size_t>(m - 2);
  if (m >= 2 && space.strides[0][r] == 1) {
    // Out's rows run along x's innermost axis: tiles of each 2-D slice, read down x's columns.
    const Index rows = space.dims[r], cols = space.dims[r + 1], x_stride = space.strides[0][r + 1];
    StridedSpace<2> batch;
    for (std::size_t k = 0; k < r; ++k) batch.push(space.dims[k], {space.strides[0][k], space.strides[1][k]});
    const Index row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
    const Index tiles = batch.size() * row_tiles * col_tiles;
    parallel_range(tiles, out.size() < kSerialCheap ? tiles + 1 : 0, [&](Index t0, Index t1) {
      for (Index t = t0; t < t1; ++t) {
        const Index b = t / (row_tiles * col_tiles), rt = t / col_tiles % row_tiles, ct = t % col_tiles;
        for_each_run(batch, b, b + 1, [&](Index, const std::array<Index, 2>& at, Index) {
          transpose_tile(px + at[0], x_stride, po + at[1], cols, rt * kTile, std::min(rows, (rt + 1) * kTile),
                         ct * kTile, std::min(cols, (ct + 1) * kTile));
        });
      }
    });
    return;
  }
  parallel_range(out.size(), kSerialCheap, [&](Index i0, Index i1) {
    for_each_run(space, i0, i1, [&](Index, const std::array<Index, 2>& at, Index n) {
      gather_kernel(px + at[0], space.inner_stride(0), po + at[1], n);
    });
  });
}

void CpuBackend::slice(const Tensor& x, int axis, std::int64_t start, Tensor& out) {
  const StridedSpace<2> space = along_axis(out.shape(), x.shape(), axis);
  // Operand 0 walks out, 1 walks x: copy from x (operand 1) to out.
  StridedSpace<2> from_x = space;
  std::swap(from_x.strides[0], from_x.strides[1]);
  Index inner = 1;
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < x.shape().rank(); ++k) inner *= x.shape().dims()[k];
  copy_runs(from_x, f32(x) + start * inner, f32(out), out.size());
}

void CpuBackend::slice_assign(const Tensor& x, int axis, std::int64_t start, Tensor& out) {
  const StridedSpace<2> space = along_axis(x.shape(), out.shape(), axis);
  Index inner = 1;
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < x.shape().rank(); ++k) inner *= x.shape().dims()[k];
  copy_runs(space, f32(x), f32(out) + start * inner, x.size());
}

}  // namespace strata::backends
