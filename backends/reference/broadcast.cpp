// Broadcasting binary ops and their adjoint, the keepdims reduction. Both walk the larger
// tensor element by element and find the other operand's element through strides that are 0
// on a broadcast axis: the one index map NumPy's rules define, written once.

#include <array>
#include <limits>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// Strides of `operand` (row-major) seen from `full`'s index space: the operand is aligned at
// the last axes, and an axis it lacks or holds with size 1 gets stride 0.
std::vector<std::size_t> broadcast_strides(const Shape& operand, const Shape& full) {
  assert(operand.rank() <= full.rank());
  std::vector<std::size_t> strides(full.rank(), 0);
  std::size_t stride = 1;
  const std::size_t pad = full.rank() - operand.rank();
  for (std::size_t k = operand.rank(); k-- > 0;) {
    const std::int64_t d = operand.dims()[k];
    assert(d == 1 || d == full.dims()[pad + k]);
    if (d != 1) strides[pad + k] = stride;
    stride *= static_cast<std::size_t>(d);
  }
  return strides;
}

// Calls visit(i, offsets) for every element i of `full` (row-major), offsets[m] being the
// offset of the element that strides[m] maps it to.
template <std::size_t N, class Visit>
void for_each_broadcast(const Shape& full, const std::array<std::vector<std::size_t>, N>& strides, Visit&& visit) {
  const std::size_t rank = full.rank();
  const auto n = static_cast<std::size_t>(full.num_elements());
  std::vector<std::int64_t> index(rank, 0);
  std::array<std::size_t, N> offsets{};
  for (std::size_t i = 0; i < n; ++i) {
    visit(i, offsets);
    // Odometer increment of the multi-index, keeping the offsets in step.
    for (std::size_t k = rank; k-- > 0;) {
      const bool carry = ++index[k] == full.dims()[k];
      for (std::size_t m = 0; m < N; ++m)
        offsets[m] =
            carry ? offsets[m] - strides[m][k] * static_cast<std::size_t>(index[k] - 1) : offsets[m] + strides[m][k];
      if (!carry) break;
      index[k] = 0;
    }
  }
}

double apply(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Subtract: return a - b;
    case BinaryOp::Multiply: return a * b;
    case BinaryOp::Divide: return a / b;
    // std::max returns its first argument when either is NaN; NumPy's maximum returns NaN.
    case BinaryOp::Maximum: return std::isnan(a) || std::isnan(b) ? a + b : std::max(a, b);
    case BinaryOp::Minimum: return std::isnan(a) || std::isnan(b) ? a + b : std::min(a, b);
    case BinaryOp::Equal: return a == b ? 1.0 : 0.0;
    case BinaryOp::GreaterEqual: return a >= b ? 1.0 : 0.0;
  }
  return 0.0;
}

}  // namespace

void ReferenceBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  const auto lhs = reference::values_of(a);
  const auto rhs = reference::values_of(b);
  auto dst = reference::values_of(out);
  const std::array strides = {broadcast_strides(a.shape(), out.shape()), broadcast_strides(b.shape(), out.shape())};
  // An f32 op computed in double and rounded once is the correctly rounded f32 result.
  for_each_broadcast(out.shape(), strides, [&](std::size_t i, const std::array<std::size_t, 2>& at) {
    dst[i] = static_cast<float>(apply(op, lhs[at[0]], rhs[at[1]]));
  });
}

void ReferenceBackend::reduce(ReduceOp op, const Tensor& x, Tensor& out) {
  assert(x.shape().rank() == out.shape().rank());
  const auto in = reference::values_of(x);
  auto dst = reference::values_of(out);
  double start = 0.0;
  if (op == ReduceOp::Max) start = -std::numeric_limits<double>::infinity();
  if (op == ReduceOp::Min) start = std::numeric_limits<double>::infinity();
  std::vector<double> acc(dst.size(), start);
  const std::array strides = {broadcast_strides(out.shape(), x.shape())};
  for_each_broadcast(x.shape(), strides, [&](std::size_t i, const std::array<std::size_t, 1>& at) {
    const std::size_t j = at[0];
    const double v = in[i];
    switch (op) {
      case ReduceOp::Sum:
      case ReduceOp::Mean: acc[j] += v; break;
      // Once NaN, always NaN (NaN + anything is NaN), as NumPy's max / min.
      case ReduceOp::Max: acc[j] = std::isnan(v) || std::isnan(acc[j]) ? acc[j] + v : std::max(acc[j], v); break;
      case ReduceOp::Min: acc[j] = std::isnan(v) || std::isnan(acc[j]) ? acc[j] + v : std::min(acc[j], v); break;
    }
  });
  const double count = dst.empty() ? 0.0 : static_cast<double>(in.size()) / static_cast<double>(dst.size());
  for (std::size_t j = 0; j < dst.size(); ++j)
    dst[j] = static_cast<float>(op == ReduceOp::Mean ? acc[j] / count : acc[j]);
}

}  // namespace strata::backends
