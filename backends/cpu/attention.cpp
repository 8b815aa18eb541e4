// The attention layers' kernels: batched products through matmul's own oneDNN primitive
// (matmul_product, the batch a leading dimension of its descriptors), and the masked softmax as
// a row loop: each row of scores reads one row of the mask, shared by every head, so the mask
// never has to be broadcast into memory.

#include <algorithm>
#include <cmath>
#include <source_location>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

// Keras's Softmax layer replaces the scores it masks with -1e9 (where(), not an addition).
constexpr float kMaskedScore = -1e9f;

// The geometry of a (batch, heads, queries, keys) score tensor and its (batch, queries, keys) mask.
struct ScoreRows {
  Index heads, queries, keys;
  // The mask row of score row r (rows run over batch, heads, queries).
  Index mask_row(Index r) const { return (r / (heads * queries)) * queries + r % queries; }
};

ScoreRows rows_of(const Tensor& scores) {
  const Shape& s = scores.shape();
  return {s[1], s[2], s[3]};
}

}  // namespace

void CpuBackend::batch_matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) {
  matmul_product(a, transpose_a, b, transpose_b, c, std::source_location::current());
}

void CpuBackend::masked_softmax_forward(const Tensor& scores, const Tensor* mask, Tensor& probs) {
  const ScoreRows geometry = rows_of(scores);
  const Index c = geometry.keys;
  const Index rows = c > 0 ? scores.size() / c : 0;
  const float* x = f32(scores);
  const float* m = mask != nullptr ? f32(*mask) : nullptr;
  float* y = f32(probs);
  parallel_range(rows, std::max<Index>(1, kSerialRows / std::max<Index>(c, 1)), [&](Index r0, Index r1) {
    for (Index r = r0; r < r1; ++r) {
      const float* xr = x + r * c;
      const float* mr = m != nullptr ? m + geometry.mask_row(r) * c : nullptr;
      float* yr = y + r * c;
      // yr holds the masked scores first: NaN in a kept score makes the row NaN (visible); a
      // masked one is replaced, as Keras's where() does.
      float mx = -INFINITY;
      for (Index j = 0; j < c; ++j) {
        const float v = mr == nullptr || mr[j] != 0.f ? xr[j] : kMaskedScore;
        yr[j] = v;
        mx = std::isnan(v) || v > mx ? v : mx;
      }
      float sum = 0.f;
      for (Index j = 0; j < c; ++j) {
        yr[j] = std::exp(yr[j] - mx);
        sum += yr[j];
      }
      const float inv = 1.f / sum;
      for (Index j = 0; j < c; ++j) yr[j] *= inv;
    }
  });
}

void CpuBackend::masked_softmax_backward(const Tensor& probs, const Tensor& dprobs, const Tensor* mask,
                                         Tensor& dscores) {
  const ScoreRows geometry = rows_of(probs);
  const Index c = geometry.keys;
  const Index rows = c > 0 ? probs.size() / c : 0;
  const float* p = f32(probs);
  const float* g = f32(dprobs);
  const float* m = mask != nullptr ? f32(*mask) : nullptr;
  float* dx = f32(dscores);
  parallel_range(rows, std::max<Index>(1, kSerialRows / std::max<Index>(c, 1)), [&](Index r0, Index r1) {
    for (Index r = r0; r < r1; ++r) {
      const float* pr = p + r * c;
      const float* gr = g + r * c;
      const float* mr = m != nullptr ? m + geometry.mask_row(r) * c : nullptr;
      float* out = dx + r * c;
      float dot = 0.f;
      for (Index j = 0; j < c; ++j) dot += pr[j] * gr[j];
      for (Index j = 0; j < c; ++j) {
        const float v = pr[j] * (gr[j] - dot);
        out[j] = mr == nullptr || mr[j] != 0.f ? v : 0.f;
      }
    }
  });
}

}  // namespace strata::backends
