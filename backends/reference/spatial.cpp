// Spatial data movement over NHWC tensors (padding, cropping, nearest-neighbour upsampling) and
// the small per-channel element-wise ops the convolutional layers use.

#include <vector>

#include "backends/dropout_mask.hpp"
#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

std::size_t nhwc(const Shape& s, std::int64_t b, std::int64_t i, std::int64_t j, std::int64_t c) {
  return static_cast<std::size_t>(((b * s[1] + i) * s[2] + j) * s[3] + c);
}

// Visits every element of `small` with its index and the index of the element of `large` at
// offset (top, left): the one map pad2d writes through and crop2d reads through.
template <class Visit>
void for_each_placed(const Shape& small, const Shape& large, std::int64_t top, std::int64_t left, Visit&& visit) {
  assert(small.rank() == 4 && large.rank() == 4 && small[0] == large[0] && small[3] == large[3]);
  assert(top >= 0 && left >= 0 && top + small[1] <= large[1] && left + small[2] <= large[2]);
  for (std::int64_t b = 0; b < small[0]; ++b)
    for (std::int64_t i = 0; i < small[1]; ++i)
      for (std::int64_t j = 0; j < small[2]; ++j)
        for (std::int64_t c = 0; c < small[3]; ++c)
          visit(nhwc(small, b, i, j, c), nhwc(large, b, i + top, j + left, c));
}

// x seen as (n, s, c): n the first axis, c the last, s everything between.
struct ChannelView {
  std::size_t n = 0, s = 0, c = 0;
};

ChannelView channel_view(const Shape& shape) {
  assert(shape.rank() >= 2);
  const auto n = static_cast<std::size_t>(shape[0]);
  const auto c = static_cast<std::size_t>(shape[-1]);
  const auto total = static_cast<std::size_t>(shape.num_elements());
  return {n, n * c == 0 ? 0 : total / (n * c), c};
}

}  // namespace

void ReferenceBackend::pad2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) {
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  std::fill(out.begin(), out.end(), 0.f);
  for_each_placed(x.shape(), y.shape(), top, left, [&](std::size_t xi, std::size_t yi) { out[yi] = in[xi]; });
}

void ReferenceBackend::crop2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) {
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  for_each_placed(y.shape(), x.shape(), top, left, [&](std::size_t yi, std::size_t xi) { out[yi] = in[xi]; });
}

void ReferenceBackend::upsample2d_forward(const Tensor& x, std::int64_t size_h, std::int64_t size_w, Tensor& y) {
  const Shape& xs = x.shape();
  const Shape& ys = y.shape();
  assert(xs.rank() == 4 && ys.rank() == 4 && ys[0] == xs[0] && ys[1] == xs[1] * size_h && ys[2] == xs[2] * size_w &&
         ys[3] == xs[3]);
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  for (std::int64_t b = 0; b < ys[0]; ++b)
    for (std::int64_t i = 0; i < ys[1]; ++i)
      for (std::int64_t j = 0; j < ys[2]; ++j)
        for (std::int64_t c = 0; c < ys[3]; ++c) out[nhwc(ys, b, i, j, c)] = in[nhwc(xs, b, i / size_h, j / size_w, c)];
}

void ReferenceBackend::upsample2d_backward(const Tensor& dy, std::int64_t size_h, std::int64_t size_w, Tensor& dx) {
  const Shape& ys = dy.shape();
  const Shape& xs = dx.shape();
  assert(xs.rank() == 4 && ys.rank() == 4 && ys[0] == xs[0] && ys[1] == xs[1] * size_h && ys[2] == xs[2] * size_w &&
         ys[3] == xs[3]);
  const auto grad_out = reference::values_of(dy);
  std::vector<double> acc(static_cast<std::size_t>(dx.size()), 0.0);
  for (std::int64_t b = 0; b < ys[0]; ++b)
    for (std::int64_t i = 0; i < ys[1]; ++i)
      for (std::int64_t j = 0; j < ys[2]; ++j)
        for (std::int64_t c = 0; c < ys[3]; ++c)
          acc[nhwc(xs, b, i / size_h, j / size_w, c)] += grad_out[nhwc(ys, b, i, j, c)];
  auto grad_in = reference::values_of(dx);
  for (std::size_t k = 0; k < acc.size(); ++k) grad_in[k] = static_cast<float>(acc[k]);
}

void ReferenceBackend::affine(const Tensor& x, float scale, float offset, Tensor& y) {
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  assert(in.size() == out.size());
  // Element by element, reading each x before writing its y, so y may be x.
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(static_cast<double>(in[i]) * scale + offset);
}

void ReferenceBackend::add_bias(const Tensor& x, const Tensor& b, Tensor& y) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  const auto bias = reference::values_of(b);
  auto out = reference::values_of(y);
  assert(bias.size() == cols && out.size() == in.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) out[r * cols + j] = in[r * cols + j] + bias[j];
}

void ReferenceBackend::spatial_dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask,
                                               Tensor& y) {
  const auto [n, s, c] = channel_view(x.shape());
  const auto in = reference::values_of(x);
  auto keep_scale = reference::values_of(mask);
  auto out = reference::values_of(y);
  assert(keep_scale.size() == n * c && out.size() == in.size());
  // f32 scale and product, as dropout_forward, so every backend agrees bit for bit.
  const float kept = 1.f / (1.f - rate);
  for (std::size_t k = 0; k < n * c; ++k) keep_scale[k] = detail::dropout_keeps(seed, k, rate) ? kept : 0.f;
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t t = 0; t < s; ++t)
      for (std::size_t j = 0; j < c; ++j) out[(b * s + t) * c + j] = in[(b * s + t) * c + j] * keep_scale[b * c + j];
}

void ReferenceBackend::channel_scale(const Tensor& x, const Tensor& scale, Tensor& y) {
  const auto [n, s, c] = channel_view(x.shape());
  const auto in = reference::values_of(x);
  const auto factor = reference::values_of(scale);
  auto out = reference::values_of(y);
  assert(factor.size() == n * c && out.size() == in.size());
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t t = 0; t < s; ++t)
      for (std::size_t j = 0; j < c; ++j) out[(b * s + t) * c + j] = in[(b * s + t) * c + j] * factor[b * c + j];
}

}  // namespace strata::backends
