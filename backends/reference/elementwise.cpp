#include "backends/dropout_mask.hpp"
#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

void ReferenceBackend::dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) {
  if (takes_bf16("reference", {{&x, DType::BF16}, {&mask, DType::BF16}, {&y, DType::BF16}})) {
    Tensor maskf = reference::widened(mask), yf = reference::widened(y);
    dropout_forward(reference::widened(x), rate, seed, maskf, yf);
    reference::narrow_into(maskf, mask);
    reference::narrow_into(yf, y);
    return;
  }
  const auto in = reference::values_of(x);
  auto keep_scale = reference::values_of(mask);
  auto out = reference::values_of(y);
  assert(in.size() == keep_scale.size() && in.size() == out.size());
  // The scale and the product stay in f32 so every backend's mask and output agree bit for bit.
  const float kept = 1.f / (1.f - rate);
  for (std::size_t i = 0; i < in.size(); ++i) {
    keep_scale[i] = detail::dropout_keeps(seed, i, rate) ? kept : 0.f;
    out[i] = in[i] * keep_scale[i];
  }
}

void ReferenceBackend::multiply(const Tensor& a, const Tensor& b, Tensor& out) {
  if (takes_bf16("reference", {{&a, DType::BF16}, {&b, DType::BF16}, {&out, DType::BF16}})) {
    Tensor f = reference::widened(out);
    multiply(reference::widened(a), reference::widened(b), f);
    reference::narrow_into(f, out);
    return;
  }
  const auto lhs = reference::values_of(a);
  const auto rhs = reference::values_of(b);
  auto dst = reference::values_of(out);
  assert(lhs.size() == rhs.size() && lhs.size() == dst.size());
  for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = lhs[i] * rhs[i];
}

void ReferenceBackend::add(const Tensor& a, const Tensor& b, Tensor& out) {
  const auto lhs = reference::values_of(a);
  const auto rhs = reference::values_of(b);
  auto dst = reference::values_of(out);
  assert(lhs.size() == rhs.size() && lhs.size() == dst.size());
  for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = lhs[i] + rhs[i];
}

void ReferenceBackend::scale(Tensor& x, float factor) {
  for (float& v : reference::values_of(x)) v *= factor;
}

void ReferenceBackend::clip(Tensor& x, float lo, float hi) {
  // std::max(v, lo) returns v when v is NaN, so NaN passes through as in tf.clip_by_value.
  for (float& v : reference::values_of(x)) v = std::min(std::max(v, lo), hi);
}

double ReferenceBackend::sum_squares(const Tensor& x) {
  double sum = 0.0;
  for (const float v : reference::values_of(x)) sum += static_cast<double>(v) * v;
  return sum;
}

}  // namespace strata::backends
