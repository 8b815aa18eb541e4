// The attention layers' ops as plain loops in double: the oracle the other backends' batched
// products and masked softmax are checked against.

#include <cmath>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// Keras's Softmax layer replaces the scores it masks with -1e9 (where(), not an addition).
constexpr double kMaskedScore = -1e9;

// The mask row of score row r of a (batch, heads, queries, keys) tensor.
std::int64_t mask_row(const Tensor& scores, std::int64_t r) {
  const std::int64_t heads = scores.shape()[1], queries = scores.shape()[2];
  return (r / (heads * queries)) * queries + r % queries;
}

}  // namespace

void ReferenceBackend::batch_matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) {
  const auto pa = reference::values_of(a);
  const auto pb = reference::values_of(b);
  auto pc = reference::values_of(c);
  const std::int64_t batch = a.shape()[0];
  const std::int64_t ra = a.shape()[1], ca = a.shape()[2];
  const std::int64_t rb = b.shape()[1], cb = b.shape()[2];
  const std::int64_t n = transpose_a ? ca : ra, k = transpose_a ? ra : ca, m = transpose_b ? rb : cb;
  assert(k == (transpose_b ? cb : rb) && c.size() == batch * n * m);
  for (std::int64_t i = 0; i < batch; ++i) {
    const float* ai = pa.data() + i * ra * ca;
    const float* bi = pb.data() + i * rb * cb;
    float* ci = pc.data() + i * n * m;
    for (std::int64_t r = 0; r < n; ++r)
      for (std::int64_t col = 0; col < m; ++col) {
        double sum = 0.0;
        for (std::int64_t j = 0; j < k; ++j) {
          const double x = transpose_a ? ai[j * ca + r] : ai[r * ca + j];
          const double y = transpose_b ? bi[col * cb + j] : bi[j * cb + col];
          sum += x * y;
        }
        ci[r * m + col] = static_cast<float>(sum);
      }
  }
}

void ReferenceBackend::masked_softmax_forward(const Tensor& scores, const Tensor* mask, Tensor& probs) {
  const auto x = reference::values_of(scores);
  auto y = reference::values_of(probs);
  const std::span<const float> m = mask != nullptr ? reference::values_of(*mask) : std::span<const float>();
  const std::int64_t c = scores.shape()[3];
  const std::int64_t rows = c > 0 ? scores.size() / c : 0;
  std::vector<double> v(static_cast<std::size_t>(c));
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t mr = mask != nullptr ? mask_row(scores, r) * c : 0;
    double mx = -INFINITY;
    for (std::int64_t j = 0; j < c; ++j) {
      v[j] = mask == nullptr || m[mr + j] != 0.f ? x[r * c + j] : kMaskedScore;
      mx = std::isnan(v[j]) || v[j] > mx ? v[j] : mx;
    }
    double sum = 0.0;
    for (std::int64_t j = 0; j < c; ++j) sum += std::exp(v[j] - mx);
    for (std::int64_t j = 0; j < c; ++j) y[r * c + j] = static_cast<float>(std::exp(v[j] - mx) / sum);
  }
}

void ReferenceBackend::masked_softmax_backward(const Tensor& probs, const Tensor& dprobs, const Tensor* mask,
                                               Tensor& dscores) {
  const auto p = reference::values_of(probs);
  const auto g = reference::values_of(dprobs);
  const std::span<const float> m = mask != nullptr ? reference::values_of(*mask) : std::span<const float>();
  auto dx = reference::values_of(dscores);
  const std::int64_t c = probs.shape()[3];
  const std::int64_t rows = c > 0 ? probs.size() / c : 0;
  std::vector<double> out(static_cast<std::size_t>(c));
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t mr = mask != nullptr ? mask_row(probs, r) * c : 0;
    double dot = 0.0;
    for (std::int64_t j = 0; j < c; ++j) dot += double{p[r * c + j]} * g[r * c + j];
    // Computed whole before writing: dscores may alias dprobs.
    for (std::int64_t j = 0; j < c; ++j)
      out[j] = mask == nullptr || m[mr + j] != 0.f ? p[r * c + j] * (g[r * c + j] - dot) : 0.0;
    for (std::int64_t j = 0; j < c; ++j) dx[r * c + j] = static_cast<float>(out[j]);
  }
}

}  // namespace strata::backends
