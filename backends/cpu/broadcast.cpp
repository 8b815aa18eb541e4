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

// NaN in either operand gives NaN (x + y is NaN then), as NumPy's maximum / minimum; the
// comparison form vectorises to a compare and a blend.
inline float max_nan(float x, float y) { return (x != x || y != y) ? x + y : (x > y ? x : y); }
inline float min_nan(float x, float y) { return (x != x || y != y) ? x + y : (x < y ? x : y); }

struct AddOp { static float f(float x, float y) { return x + y; } };
struct SubtractOp { static float f(float x, float y) { return x - y; } };
struct MultiplyOp { static float f(float x, float y) { return x * y; } };
struct DivideOp { static float f(float x, float y) { return x / y; } };
struct MaximumOp { static float f(float x, float y) { return max_nan(x, y); } };
struct MinimumOp { static float f(float x, float y) { return min_nan(x, y); } };
struct EqualOp { static float f(float x, float y) { return x == y ? 1.f : 0.f; } };
struct GreaterEqualOp { static float f(float x, float y) { return x >= y ? 1.f : 0.f; } };

// One run: a and b either step by one element or stay on one (stride 0).
template <class Op>
inline void binary_run(const float* a, bool a_steps, const float* b, bool b_steps, float* out, Index n) {
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

// Cloned per run rather than per range: the odometer that finds the runs stays outside, and
// the loops the clones exist for sit in this body, not in a lambda the clone might not inline.
STRATA_ISA_CLONES
void binary_kernel(BinaryOp op, const float* a, bool a_steps, const float* b, bool b_steps, float* out, Index n) {
  switch (op) {
    case BinaryOp::Add: binary_run<AddOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::Subtract: binary_run<SubtractOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::Multiply: binary_run<MultiplyOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::Divide: binary_run<DivideOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::Maximum: binary_run<MaximumOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::Minimum: binary_run<MinimumOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::Equal: binary_run<EqualOp>(a, a_steps, b, b_steps, out, n); break;
    case BinaryOp::GreaterEqual: binary_run<GreaterEqualOp>(a, a_steps, b, b_steps, out, n); break;
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

// Last axis kept: out[c] = out[c] op row[c] over one row segment.
STRATA_ISA_CLONES
void fold_row_kernel(ReduceOp op, const float* row, float* out, Index n) {
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

// Last axis reduced: the fold of one contiguous run. Sums in double (as sum_squares); max and
// min take the plain vectorised max and a separate any-NaN flag, since a max reduction's lanes
// would drop NaN.
struct RunFold {
  double sum = 0.0;
  float extreme = 0.f;
  bool nan = false;
};

STRATA_ISA_CLONES
void fold_run(ReduceOp op, const float* x, Index n, RunFold& fold) {
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

float finish(ReduceOp op, const RunFold& fold, Index count) {
  if (op == ReduceOp::Sum) return static_cast<float>(fold.sum);
  if (op == ReduceOp::Mean) return static_cast<float>(fold.sum / static_cast<double>(count));
  return fold.nan ? std::numeric_limits<float>::quiet_NaN() : fold.extreme;
}

}  // namespace

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  const StridedSpace<2> space = coalesce_binary(a.shape(), b.shape(), out.shape());
  const bool a_steps = space.inner_stride(0) != 0;
  const bool b_steps = space.inner_stride(1) != 0;
  const float* pa = f32(a);
  const float* pb = f32(b);
  float* po = f32(out);
  parallel_range(out.size(), kSerialCheap, [&](Index i0, Index i1) {
    for_each_run(space, i0, i1, [&](Index i, const std::array<Index, 2>& at, Index n) {
      binary_kernel(op, pa + at[0], a_steps, pb + at[1], b_steps, po + i, n);
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
            for (Index s = 0; s < rn; ++s)
              fold_row_kernel(op, x_base + r_at[0] + s * reduced.inner_stride(0), out_row, c1 - c0);
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
