// Convolution as the sum in Conv2DParams's comment, written out once (forward) and then as its
// two adjoints: backward-data scatters dy * w back along the very index map the forward reads
// through, and backward-weights gathers x * dy along it. Sums run in double.

#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// Every extent one convolution call needs, read from its tensors' shapes.
struct ConvDims {
  std::int64_t n = 0, h = 0, w = 0, in = 0;  // x (n, h, w, in)
  std::int64_t kh = 0, kw = 0, out = 0;      // w (kh, kw, in / groups, out)
  std::int64_t oh = 0, ow = 0;               // y (n, oh, ow, out)
  std::int64_t in_per_group = 0, out_per_group = 0;
};

ConvDims conv_dims(const Shape& x, const Shape& w, const Shape& y, const Conv2DParams& p) {
  assert(x.rank() == 4 && w.rank() == 4 && y.rank() == 4);
  assert(p.groups >= 1 && x[3] % p.groups == 0 && w[3] % p.groups == 0);
  ConvDims d;
  d.n = x[0], d.h = x[1], d.w = x[2], d.in = x[3];
  d.kh = w[0], d.kw = w[1], d.out = w[3];
  d.oh = y[1], d.ow = y[2];
  d.in_per_group = d.in / p.groups;
  d.out_per_group = d.out / p.groups;
  assert(w[2] == d.in_per_group && y[0] == d.n && y[3] == d.out);
  assert(d.oh == (d.h + p.pad_top + p.pad_bottom - p.dilation_h * (d.kh - 1) - 1) / p.stride_h + 1);
  assert(d.ow == (d.w + p.pad_left + p.pad_right - p.dilation_w * (d.kw - 1) - 1) / p.stride_w + 1);
  return d;
}

// Visits every (x index, w index, y index) triple that contributes a product x * w to y, i.e.
// every term of the sum in Conv2DParams's comment whose x position lies inside x.
template <class Visit>
void for_each_term(const ConvDims& d, const Conv2DParams& p, Visit&& visit) {
  for (std::int64_t b = 0; b < d.n; ++b)
    for (std::int64_t i = 0; i < d.oh; ++i)
      for (std::int64_t j = 0; j < d.ow; ++j)
        for (std::int64_t o = 0; o < d.out; ++o) {
          const std::int64_t g = o / d.out_per_group;
          const std::size_t y_index = static_cast<std::size_t>(((b * d.oh + i) * d.ow + j) * d.out + o);
          for (std::int64_t r = 0; r < d.kh; ++r) {
            const std::int64_t row = i * p.stride_h + r * p.dilation_h - p.pad_top;
            if (row < 0 || row >= d.h) continue;
            for (std::int64_t s = 0; s < d.kw; ++s) {
              const std::int64_t col = j * p.stride_w + s * p.dilation_w - p.pad_left;
              if (col < 0 || col >= d.w) continue;
              for (std::int64_t c = 0; c < d.in_per_group; ++c) {
                const auto x_index =
                    static_cast<std::size_t>(((b * d.h + row) * d.w + col) * d.in + g * d.in_per_group + c);
                const auto w_index = static_cast<std::size_t>(((r * d.kw + s) * d.in_per_group + c) * d.out + o);
                visit(x_index, w_index, y_index);
              }
            }
          }
        }
}

void store(const std::vector<double>& acc, Tensor& t) {
  auto out = reference::values_of(t);
  assert(out.size() == acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) out[i] = static_cast<float>(acc[i]);
}

}  // namespace

void ReferenceBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                                      const Conv2DParams& p, Tensor& dst) {
  if (takes_bf16("reference", {{&x, DType::BF16}, {&w, DType::BF16}, {b, DType::F32}, {&dst, DType::BF16}})) {
    Tensor yf = reference::widened(dst);
    conv2d_forward(reference::widened(x), reference::widened(w), b, act, p, yf);
    reference::narrow_into(yf, dst);
    return;
  }
  const ConvDims d = conv_dims(x.shape(), w.shape(), dst.shape(), p);
  const auto in = reference::values_of(x);
  const auto kernel = reference::values_of(w);
  std::vector<double> acc(static_cast<std::size_t>(dst.size()), 0.0);
  for_each_term(d, p, [&](std::size_t xi, std::size_t wi, std::size_t yi) {
    acc[yi] += static_cast<double>(in[xi]) * kernel[wi];
  });
  if (b != nullptr) {
    const auto bias = reference::values_of(*b);
    assert(static_cast<std::int64_t>(bias.size()) == d.out);
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += bias[i % static_cast<std::size_t>(d.out)];
  }
  store(acc, dst);
  activation_forward(act, dst, dst);
}

void ReferenceBackend::conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2DParams& p, Tensor& dx) {
  if (takes_bf16("reference", {{&dy, DType::BF16}, {&w, DType::BF16}, {&dx, DType::BF16}})) {
    Tensor dxf = reference::widened(dx);
    conv2d_backward_data(reference::widened(dy), reference::widened(w), p, dxf);
    reference::narrow_into(dxf, dx);
    return;
  }
  const ConvDims d = conv_dims(dx.shape(), w.shape(), dy.shape(), p);
  const auto grad_out = reference::values_of(dy);
  const auto kernel = reference::values_of(w);
  std::vector<double> acc(static_cast<std::size_t>(dx.size()), 0.0);
  for_each_term(d, p, [&](std::size_t xi, std::size_t wi, std::size_t yi) {
    acc[xi] += static_cast<double>(grad_out[yi]) * kernel[wi];
  });
  store(acc, dx);
}

void ReferenceBackend::conv2d_backward_weights(const Tensor& x, const Tensor& dy, const Conv2DParams& p, Tensor& dw,
                                               Tensor* db) {
  // The gradients of f32 variables stay f32: only the bf16 activations are widened.
  if (takes_bf16("reference", {{&x, DType::BF16}, {&dy, DType::BF16}, {&dw, DType::F32}, {db, DType::F32}})) {
    conv2d_backward_weights(reference::widened(x), reference::widened(dy), p, dw, db);
    return;
  }
  const ConvDims d = conv_dims(x.shape(), dw.shape(), dy.shape(), p);
  const auto in = reference::values_of(x);
  const auto grad_out = reference::values_of(dy);
  std::vector<double> acc(static_cast<std::size_t>(dw.size()), 0.0);
  for_each_term(d, p, [&](std::size_t xi, std::size_t wi, std::size_t yi) {
    acc[wi] += static_cast<double>(in[xi]) * grad_out[yi];
  });
  store(acc, dw);
  if (db != nullptr) {
    std::vector<double> bias_acc(static_cast<std::size_t>(d.out), 0.0);
    for (std::size_t i = 0; i < grad_out.size(); ++i) bias_acc[i % static_cast<std::size_t>(d.out)] += grad_out[i];
    store(bias_acc, *db);
  }
}

}  // namespace strata::backends
