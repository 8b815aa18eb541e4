// Broadcasting binary ops and the keepdims reduction (their adjoint: a broadcast operand's
// gradient is the output gradient summed over the axes it was repeated along).
//
// Both coalesce their shapes first: adjacent axes that every operand holds the same way (all
// full, or the same operand repeated) merge into one, so same shapes become one flat loop, a
// row vector broadcast over rows becomes (rows, cols) with the vector's row stride 0, and a
// column (rows, 1) becomes (rows, cols) with its column stride 0. The inner loop then runs a
// whole row with one of three stride patterns, each vectorised.

#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/cpu/strided.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

// ---- binary ---------------------------------------------------------------------------------

// Rows shorter than this go to the kernel in blocks: one call per row cost ~20x the work of a
// row of 3 (a (100000, 3) + (3) broadcast took 301 us against 14 us for the same shapes).
constexpr Index kShortRow = 256;

// NaN in either operand gives that NaN, as NumPy's maximum / minimum. Written as nested
// selects on `v != v` so GCC if-converts it under the default -ftrapping-math and every ISA
// clone vectorises (a select guarded by `||`, or a conditional x + y, left Maximum scalar on
// the AVX2 and baseline clones: (1024, 1024) max a row took 730 us, now 303 us as the same add;
// one thread).
inline float max_nan(float x, float y) {
  const float larger = x > y ? x : y;
  return x != x ? x : (y != y ? y : larger);
}
inline float min_nan(float x, float y) {
  const float smaller = x < y ? x : y;
  return x != x ? x : (y != y ? y : smaller);
}

struct AddOp {
  static float f(float x, float y) { return x + y; }
};
struct SubtractOp {
  static float f(float x, float y) { return x - y; }
};
struct MultiplyOp {
  static float f(float x, float y) { return x * y; }
};
struct DivideOp {
  static float f(float x, float y) { return x / y; }
};
struct MaximumOp {
  static float f(float x, float y) { return max_nan(x, y); }
};
struct MinimumOp {
  static float f(float x, float y) { return min_nan(x, y); }
};
struct EqualOp {
  static float f(float x, float y) { return x == y ? 1.f : 0.f; }
};
struct GreaterEqualOp {
  static float f(float x, float y) { return x >= y ? 1.f : 0.f; }
};

// One run: a and b either step by one element or stay on one (stride 0). This and
// binary_rows are forced inline into the cloned kernel: left out of line, GCC compiles them
// once, for the baseline ISA, and every clone calls that.
template <class Op>
[[gnu::always_inline]] inline void binary_run(const float* a, bool a_steps, const float* b, bool b_steps, float* out,
                                              Index n) {
  if (a_steps && b_steps) {
#pragma omp simd
    for (Index i = 0; i < n; ++i) out[i] = Op::f(a[i], b[i]);
  } else if (a_steps) {
    const float y = *b;
#pragma omp simd
    for (Index i = 0; i < n; ++i) out[i] = Op::f(a[i], y);
  } else if (b_steps) {
    const float x = *a;
#pragma omp simd
    for (Index i = 0; i < n; ++i) out[i] = Op::f(x, b[i]);
  } else {
    const float v = Op::f(*a, *b);
    for (Index i = 0; i < n; ++i) out[i] = v;
  }
}

// Floats of a row vector repeated into a stack tile (below).
constexpr Index kTile = 512;

template <class Op>
[[gnu::always_inline]] inline void binary_rows(const float* a, Index a_row, bool a_steps, const float* b, Index b_row,
                                               bool b_steps, float* out, Index rows, Index cols) {
  // A short row vector over contiguous rows (a bias): repeated into a tile of whole rows, the
  // rows then run as one long loop (a (100000, 3) + (3) add: 192 us per row, 60 us tiled, 50
  // us for same shapes; one thread).
  const bool b_is_row = a_steps && a_row == cols && b_steps && b_row == 0;
  const bool a_is_row = b_steps && b_row == cols && a_steps && a_row == 0;
  if (rows > 1 && 2 * cols <= kTile && (a_is_row || b_is_row)) {
    float tile[kTile];
    const float* vector = b_is_row ? b : a;
    const Index tile_rows = kTile / cols;
    for (Index k = 0; k < tile_rows * cols; ++k) tile[k] = vector[k % cols];
    for (Index r = 0; r < rows; r += tile_rows) {
      const Index n = std::min(tile_rows, rows - r) * cols;
      if (b_is_row)
        binary_run<Op>(a + r * cols, true, tile, true, out + r * cols, n);
      else
        binary_run<Op>(tile, true, b + r * cols, true, out + r * cols, n);
    }
    return;
  }
  for (Index r = 0; r < rows; ++r) binary_run<Op>(a + r * a_row, a_steps, b + r * b_row, b_steps, out + r * cols, cols);
}

// `rows` consecutive output rows of `cols` elements; a's and b's rows start `a_row` and
// `b_row` apart. Cloned per block rather than per range: the odometer that finds the blocks
// stays outside, and the loops the clones exist for sit in this body, not in a lambda the
// clone might not inline.
STRATA_ISA_CLONES
void binary_kernel(BinaryOp op, const float* a, Index a_row, bool a_steps, const float* b, Index b_row, bool b_steps,
                   float* out, Index rows, Index cols) {
  switch (op) {
    case BinaryOp::Add: binary_rows<AddOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::Subtract: binary_rows<SubtractOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::Multiply: binary_rows<MultiplyOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::Divide: binary_rows<DivideOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::Maximum: binary_rows<MaximumOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::Minimum: binary_rows<MinimumOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::Equal: binary_rows<EqualOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols); break;
    case BinaryOp::GreaterEqual:
      binary_rows<GreaterEqualOp>(a, a_row, a_steps, b, b_row, b_steps, out, rows, cols);
      break;
  }
}

// out's axes with a's and b's strides (0 where broadcast), size-1 axes dropped and adjacent
// axes merged where both operands step the same way.
StridedSpace<2> coalesce_binary(const Shape& as, const Shape& bs, const Shape& os) {
  const std::size_t rank = os.rank();
  std::array<Index, Shape::kMaxRank> a_dims{}, b_dims{};
  for (std::size_t k = 0; k < rank; ++k) {
    a_dims[k] = k + as.rank() >= rank ? as.dims()[k + as.rank() - rank] : 1;
    b_dims[k] = k + bs.rank() >= rank ? bs.dims()[k + bs.rank() - rank] : 1;
  }
  // Walk from the innermost axis out, tracking each operand's row-major stride.
  std::array<Index, Shape::kMaxRank> dims{};
  std::array<std::array<Index, Shape::kMaxRank>, 2> strides{};
  std::array<bool, Shape::kMaxRank> a_full{}, b_full{};
  int m = 0;
  Index a_stride = 1, b_stride = 1;
  for (std::size_t k = rank; k-- > 0;) {
    const Index d = os.dims()[k];
    if (d == 1) continue;
    const bool af = a_dims[k] != 1, bf = b_dims[k] != 1;
    if (m > 0 && a_full[m - 1] == af && b_full[m - 1] == bf) {
      dims[m - 1] *= d;  // same pattern as the axis inside it: one longer axis
    } else {
      dims[m] = d;
      strides[0][m] = af ? a_stride : 0;
      strides[1][m] = bf ? b_stride : 0;
      a_full[m] = af;
      b_full[m] = bf;
      ++m;
    }
    if (af) a_stride *= d;
    if (bf) b_stride *= d;
  }
  StridedSpace<2> space;
  for (int k = m; k-- > 0;) {
    const auto u = static_cast<std::size_t>(k);
    space.push(dims[u], {strides[0][u], strides[1][u]});
  }
  return space;
}

// ---- reduce ---------------------------------------------------------------------------------

inline float combine(ReduceOp op, float acc, float v) {
  switch (op) {
    case ReduceOp::Max: return max_nan(acc, v);
    case ReduceOp::Min: return min_nan(acc, v);
    default: return acc + v;
  }
}

float identity_of(ReduceOp op) {
  if (op == ReduceOp::Max) return -std::numeric_limits<float>::infinity();
  if (op == ReduceOp::Min) return std::numeric_limits<float>::infinity();
  return 0.f;
}

// x's axes after coalescing, each either kept (out has it) or reduced (out has 1 there).
struct ReducePlan {
  int rank = 0;
  std::array<Index, Shape::kMaxRank> dims{};
  std::array<bool, Shape::kMaxRank> reduced{};
  std::array<Index, Shape::kMaxRank> x_strides{};
  Index reduced_count = 1;  // elements folded into each output
};

ReducePlan plan_reduce(const Shape& xs, const Shape& os) {
  std::array<Index, Shape::kMaxRank> dims{};
  std::array<bool, Shape::kMaxRank> reduced{};
  int m = 0;
  for (std::size_t k = 0; k < xs.rank(); ++k) {
    const Index d = xs.dims()[k];
    if (d == 1) continue;
    const bool r = os.dims()[k] == 1;
    if (m > 0 && reduced[static_cast<std::size_t>(m - 1)] == r) {
      dims[static_cast<std::size_t>(m - 1)] *= d;
    } else {
      dims[static_cast<std::size_t>(m)] = d;
      reduced[static_cast<std::size_t>(m)] = r;
      ++m;
    }
  }
  ReducePlan plan;
  plan.rank = m;
  Index stride = 1;
  for (int k = m; k-- > 0;) {
    const auto u = static_cast<std::size_t>(k);
    plan.dims[u] = dims[u];
    plan.reduced[u] = reduced[u];
    plan.x_strides[u] = stride;
    stride *= dims[u];
    if (reduced[u]) plan.reduced_count *= dims[u];
  }
  return plan;
}

// The index space of the kept axes (outer_kept: all but a kept last axis) with x's strides, and
// the one of the reduced axes (outer_reduced: all but a reduced last axis).
StridedSpace<1> axes_of(const ReducePlan& plan, bool want_reduced, bool skip_last) {
  StridedSpace<1> space;
  const int end = skip_last ? plan.rank - 1 : plan.rank;
  for (int k = 0; k < end; ++k) {
    const auto u = static_cast<std::size_t>(k);
    if (plan.reduced[u] == want_reduced) space.push(plan.dims[u], {plan.x_strides[u]});
  }
  return space;
}

// Last axis kept: out[c] = out[c] op row[c] for `rows` rows `row_stride` apart, n columns each.
// One call per block of rows, not per row: a (100000, 3) -> (1, 3) sum took 295 us with a
// call per row (a copy of x takes 55 us).
STRATA_ISA_CLONES
void fold_rows_kernel(ReduceOp op, const float* x, Index row_stride, Index rows, float* out, Index n) {
  for (Index r = 0; r < rows; ++r) {
    const float* row = x + r * row_stride;
    switch (op) {
      case ReduceOp::Max:
#pragma omp simd
        for (Index c = 0; c < n; ++c) out[c] = max_nan(out[c], row[c]);
        break;
      case ReduceOp::Min:
#pragma omp simd
        for (Index c = 0; c < n; ++c) out[c] = min_nan(out[c], row[c]);
        break;
      default:
#pragma omp simd
        for (Index c = 0; c < n; ++c) out[c] += row[c];
    }
  }
}

// Last axis reduced: the fold of one contiguous run. Sums in double (as sum_squares); max and
// min take the plain vectorised max and a separate any-NaN flag, since a max reduction's lanes
// would drop NaN.
struct RunFold {
  double sum = 0.0;
  float extreme = 0.f;
  bool nan = false;
};

// Inlined into each cloned caller by force: left out of line, GCC compiled it once, for the
// baseline ISA (a 1M-element sum took 220 us instead of 150 us).
[[gnu::always_inline]] inline void fold_into(ReduceOp op, const float* x, Index n, RunFold& fold) {
  if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (Index i = 0; i < n; ++i) s += x[i];
    fold.sum += s;
    return;
  }
  float e = fold.extreme;
  int nan = 0;
  if (op == ReduceOp::Max) {
#pragma omp simd reduction(max : e) reduction(| : nan)
    for (Index i = 0; i < n; ++i) {
      e = x[i] > e ? x[i] : e;
      nan |= x[i] != x[i] ? 1 : 0;
    }
  } else {
#pragma omp simd reduction(min : e) reduction(| : nan)
    for (Index i = 0; i < n; ++i) {
      e = x[i] < e ? x[i] : e;
      nan |= x[i] != x[i] ? 1 : 0;
    }
  }
  fold.extreme = e;
  fold.nan = fold.nan || nan != 0;
}

inline float finish(ReduceOp op, const RunFold& fold, Index count) {
  if (op == ReduceOp::Sum) return static_cast<float>(fold.sum);
  if (op == ReduceOp::Mean) return static_cast<float>(fold.sum / static_cast<double>(count));
  return fold.nan ? std::numeric_limits<float>::quiet_NaN() : fold.extreme;
}

STRATA_ISA_CLONES
void fold_run(ReduceOp op, const float* x, Index n, RunFold& fold) { fold_into(op, x, n, fold); }

// Outputs out[0, n), output t folding the `run` (< kShortRow) elements at x + t * stride: one
// call for a block of short runs, a plain loop each (a (100000, 3) -> (100000, 1) sum took
// 1037 us with a call per output, 431 us with the vectorised fold inlined, 120 us so).
STRATA_ISA_CLONES
void fold_runs_kernel(ReduceOp op, const float* x, Index stride, Index run, Index n, Index count, float* out) {
  for (Index t = 0; t < n; ++t) {
    const float* v = x + t * stride;
    if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
      double s = 0.0;
      for (Index i = 0; i < run; ++i) s += v[i];
      out[t] = static_cast<float>(op == ReduceOp::Mean ? s / static_cast<double>(count) : s);
      continue;
    }
    float e = identity_of(op);
    for (Index i = 0; i < run; ++i) e = op == ReduceOp::Max ? max_nan(e, v[i]) : min_nan(e, v[i]);
    out[t] = e;
  }
}

}  // namespace

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  StridedSpace<2> space = coalesce_binary(a.shape(), b.shape(), out.shape());
  const bool a_steps = space.inner_stride(0) != 0;
  const bool b_steps = space.inner_stride(1) != 0;
  const float* pa = f32(a);
  const float* pb = f32(b);
  float* po = f32(out);
  const Index cols = space.inner();
  if (cols >= kShortRow || space.rank < 2) {
    parallel_range(out.size(), kSerialCheap, [&](Index i0, Index i1) {
      for_each_run(space, i0, i1, [&](Index i, const std::array<Index, 2>& at, Index n) {
        binary_kernel(op, pa + at[0], 0, a_steps, pb + at[1], 0, b_steps, po + i, 1, n);
      });
    });
    return;
  }
  // Short rows (a (n, 3) + (3) bias, say): the kernel takes blocks of whole rows, walked along
  // the axis outside the last, instead of one call per row.
  --space.rank;
  parallel_range(out.size() / cols, kSerialCheap / cols, [&](Index r0, Index r1) {
    for_each_run(space, r0, r1, [&](Index r, const std::array<Index, 2>& at, Index n) {
      binary_kernel(op, pa + at[0], space.inner_stride(0), a_steps, pb + at[1], space.inner_stride(1), b_steps,
                    po + r * cols, n, cols);
    });
  });
}

void CpuBackend::reduce(ReduceOp op, const Tensor& x, Tensor& out) {
  const ReducePlan plan = plan_reduce(x.shape(), out.shape());
  const float* px = f32(x);
  float* po = f32(out);
  const Index outputs = out.size();
  const Index count = plan.reduced_count;
  const int threads = omp_get_max_threads();
  const bool serial = x.size() < kSerialCheap || threads <= 1 || omp_in_parallel();

  if (plan.rank == 0 || !plan.reduced[static_cast<std::size_t>(plan.rank - 1)]) {
    // Last axis kept (or nothing to reduce): whole rows of `cols` fold into each output row.
    const Index cols = plan.rank == 0 ? 1 : plan.dims[static_cast<std::size_t>(plan.rank - 1)];
    const StridedSpace<1> kept = axes_of(plan, false, true);
    const StridedSpace<1> reduced = axes_of(plan, true, false);
    const Index rows = outputs / cols;
    // Output rows [r0, r1), columns [c0, c1): start from the identity, fold in every x row.
    const auto do_rows = [&](Index r0, Index r1, Index c0, Index c1) {
      for_each_run(kept, r0, r1, [&](Index r, const std::array<Index, 1>& at, Index n) {
        for (Index t = 0; t < n; ++t) {
          float* out_row = po + (r + t) * cols + c0;
          std::fill(out_row, out_row + (c1 - c0), identity_of(op));
          const float* x_base = px + at[0] + t * kept.inner_stride(0) + c0;
          for_each_run(reduced, 0, reduced.size(), [&](Index, const std::array<Index, 1>& r_at, Index rn) {
            fold_rows_kernel(op, x_base + r_at[0], reduced.inner_stride(0), rn, out_row, c1 - c0);
          });
        }
      });
    };
    if (serial) {
      do_rows(0, rows, 0, cols);
    } else if (rows >= threads) {
      parallel_range(rows, 0, [&](Index r0, Index r1) { do_rows(r0, r1, 0, cols); });
    } else {
      // Few output rows (the bias-gradient shape, (n, c) -> (1, c)): split the columns.
      parallel_range(cols, 0, [&](Index c0, Index c1) { do_rows(0, rows, c0, c1); });
    }
    if (op == ReduceOp::Mean && count != 1) {
      const float inv = 1.f / static_cast<float>(count);
      parallel_range(outputs, kSerialCheap, [&](Index i0, Index i1) {
        for (Index i = i0; i < i1; ++i) po[i] *= inv;
      });
    }
    return;
  }

  // Last axis reduced: each output folds contiguous runs of `run` elements.
  const Index run = plan.dims[static_cast<std::size_t>(plan.rank - 1)];
  const StridedSpace<1> kept = axes_of(plan, false, false);
  const StridedSpace<1> reduced = axes_of(plan, true, true);
  const float init = identity_of(op);
  if (outputs == 1 && !serial) {
    // A full reduction of a large tensor (which is then contiguous): one partial per thread.
    double sum = 0.0;
    float extreme = init;
    int nan = 0;
#pragma omp parallel reduction(+ : sum) reduction(| : nan)
    {
      const Index t = omp_get_thread_num(), parts = omp_get_num_threads();
      RunFold fold{0.0, init, false};
      const Index b = run * t / parts, e = run * (t + 1) / parts;
      fold_run(op, px + b, e - b, fold);
      sum += fold.sum;
      nan |= fold.nan ? 1 : 0;
#pragma omp critical
      extreme = combine(op, extreme, fold.extreme);
    }
    *po = finish(op, RunFold{sum, extreme, nan != 0}, count);
    return;
  }
  const auto do_outputs = [&](Index o0, Index o1) {
    for_each_run(kept, o0, o1, [&](Index o, const std::array<Index, 1>& at, Index n) {
      if (reduced.rank == 0 && run < kShortRow) {  // short runs, one per output: one call
        fold_runs_kernel(op, px + at[0], kept.inner_stride(0), run, n, count, po + o);
        return;
      }
      for (Index t = 0; t < n; ++t) {
        RunFold fold{0.0, init, false};
        const Index base = at[0] + t * kept.inner_stride(0);
        for_each_run(reduced, 0, reduced.size(), [&](Index, const std::array<Index, 1>& r_at, Index rn) {
          for (Index s = 0; s < rn; ++s) fold_run(op, px + base + r_at[0] + s * reduced.inner_stride(0), run, fold);
        });
        po[o + t] = finish(op, fold, count);
      }
    });
  };
  if (serial) {
    do_outputs(0, outputs);
  } else {
    parallel_range(outputs, 0, do_outputs);
  }
}

}  // namespace strata::backends
