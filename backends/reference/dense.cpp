#include <cblas.h>

#include <source_location>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"
#include "strata/bfloat16.hpp"

namespace strata::backends {

namespace {

// `where`: the op a tensor of another dtype is reported against. A bfloat16 operand is read
// where `bf16` allows it (matmul).
std::vector<double> to_double(const Tensor& t, bool bf16, const std::source_location& where) {
  if (bf16 && t.dtype() == DType::BF16) {
    const bfloat16* src = t.data<const bfloat16>();
    std::vector<double> out(static_cast<std::size_t>(t.size()));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(src[i]);
    return out;
  }
  const auto src = reference::values_of(t, where);
  return {src.begin(), src.end()};
}

// The product in double (dgemm over widened copies): the oracle should be closer to the exact
// result than any f32 backend it judges, so parity tolerances measure their error, not ours.
std::vector<double> product(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, std::size_t& n,
                            std::size_t& m, bool bf16 = false,
                            const std::source_location& where = std::source_location::current()) {
  assert(a.shape().rank() == 2 && b.shape().rank() == 2);
  const auto a_rows = static_cast<std::size_t>(a.shape()[0]);
  const auto a_cols = static_cast<std::size_t>(a.shape()[1]);
  const auto b_rows = static_cast<std::size_t>(b.shape()[0]);
  const auto b_cols = static_cast<std::size_t>(b.shape()[1]);
  n = transpose_a ? a_cols : a_rows;
  const std::size_t k = transpose_a ? a_rows : a_cols;
  m = transpose_b ? b_rows : b_cols;
  assert(k == (transpose_b ? b_cols : b_rows));

  // bf16 operands come as a pair, as on every backend.
  const bool both_bf16 = bf16 && a.dtype() == DType::BF16 && b.dtype() == DType::BF16;
  const auto a64 = to_double(a, both_bf16, where);
  const auto b64 = to_double(b, both_bf16, where);
  std::vector<double> out(n * m, 0.0);
  if (n == 0 || m == 0 || k == 0) return out;
  // Row-major leading dimensions are the stored column counts, whatever the transposition.
  cblas_dgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(n), static_cast<blasint>(m), static_cast<blasint>(k), 1.0, a64.data(),
              static_cast<blasint>(a_cols), b64.data(), static_cast<blasint>(b_cols), 0.0, out.data(),
              static_cast<blasint>(m));
  return out;
}

}  // namespace

void ReferenceBackend::dense_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                                     Tensor& y) {
  if (takes_bf16("reference", {{&x, DType::BF16}, {&w, DType::BF16}, {b, DType::F32}, {&y, DType::BF16}})) {
    Tensor yf = reference::widened(y);
    dense_forward(reference::widened(x), reference::widened(w), b, act, yf);
    reference::narrow_into(yf, y);
    return;
  }
  std::size_t n = 0, m = 0;
  auto z = product(x, false, w, false, n, m);
  assert(y.size() == static_cast<std::int64_t>(n * m));
  if (b != nullptr) {
    const auto bias = reference::values_of(*b);
    assert(bias.size() == m);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < m; ++j) z[i * m + j] += bias[j];
  }
  auto out = reference::values_of(y);
  for (std::size_t i = 0; i < z.size(); ++i) out[i] = static_cast<float>(z[i]);
  activation_forward(act, y, y);
}

void ReferenceBackend::matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) {
  std::size_t n = 0, m = 0;
  const auto z = product(a, transpose_a, b, transpose_b, n, m, true);
  // A bf16 c (from bf16 operands) is the f32 result rounded once more, as a backend that
  // accumulates in f32 writes it.
  if (c.dtype() == DType::BF16 && a.dtype() == DType::BF16) {
    bfloat16* out = c.data<bfloat16>();
    for (std::size_t i = 0; i < z.size(); ++i) out[i] = bfloat16(static_cast<float>(z[i]));
    return;
  }
  auto out = reference::values_of(c);
  assert(out.size() == z.size());
  for (std::size_t i = 0; i < z.size(); ++i) out[i] = static_cast<float>(z[i]);
}

void ReferenceBackend::sum_rows(const Tensor& x, Tensor& out) {
  // A bf16 x sums into either float type: an f32 out is a bias gradient, a bf16 one an activation.
  if (takes_bf16("reference", {{&x, DType::BF16}})) {
    Tensor f = reference::widened(out);
    sum_rows(reference::widened(x), f);
    reference::narrow_into(f, out);
    return;
  }
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  auto dst = reference::values_of(out);
  assert(dst.size() == cols);
  std::vector<double> acc(cols, 0.0);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) acc[j] += in[i * cols + j];
  for (std::size_t j = 0; j < cols; ++j) dst[j] = static_cast<float>(acc[j]);
}

}  // namespace strata::backends
