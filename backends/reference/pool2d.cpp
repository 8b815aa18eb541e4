// Pooling over NHWC windows. Padded positions simply do not exist: they are never a window's
// maximum and do not count in an average (Keras's "same"). The backward pass recomputes each
// window from x, so its state only records what the forward call saw.

#include <cmath>
#include <span>
#include <utility>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// The reference's OpState: nothing is needed beyond x, which backward gets again; the shape is
// kept so a debug build can tell that the state belongs to this x.
class ReferencePoolState final : public OpState {
 public:
  explicit ReferencePoolState(Shape shape) : x_shape(std::move(shape)) {}
  Shape x_shape;
};

struct PoolDims {
  std::int64_t n = 0, h = 0, w = 0, c = 0, oh = 0, ow = 0;
};

PoolDims pool_dims(const Shape& x, const Shape& y, const Pool2DParams& p) {
  assert(x.rank() == 4 && y.rank() == 4 && x[0] == y[0] && x[3] == y[3]);
  assert(y[1] == (x[1] + p.pad_top + p.pad_bottom - p.pool_h) / p.stride_h + 1);
  assert(y[2] == (x[2] + p.pad_left + p.pad_right - p.pool_w) / p.stride_w + 1);
  (void)p;
  return {x[0], x[1], x[2], x[3], y[1], y[2]};
}

// Visits every output element with the flat x indices of its window's in-range positions, in
// row-major order of the window.
template <class Visit>
void for_each_window(const PoolDims& d, const Pool2DParams& p, Visit&& visit) {
  std::vector<std::size_t> window;
  window.reserve(static_cast<std::size_t>(p.pool_h * p.pool_w));
  for (std::int64_t b = 0; b < d.n; ++b)
    for (std::int64_t i = 0; i < d.oh; ++i)
      for (std::int64_t j = 0; j < d.ow; ++j)
        for (std::int64_t ch = 0; ch < d.c; ++ch) {
          window.clear();
          for (std::int64_t r = 0; r < p.pool_h; ++r) {
            const std::int64_t row = i * p.stride_h + r - p.pad_top;
            if (row < 0 || row >= d.h) continue;
            for (std::int64_t s = 0; s < p.pool_w; ++s) {
              const std::int64_t col = j * p.stride_w + s - p.pad_left;
              if (col < 0 || col >= d.w) continue;
              window.push_back(static_cast<std::size_t>(((b * d.h + row) * d.w + col) * d.c + ch));
            }
          }
          visit(static_cast<std::size_t>(((b * d.oh + i) * d.ow + j) * d.c + ch), window);
        }
}

// The first position holding the window's maximum (strict > keeps the earliest of ties), or its
// first NaN: a window holding a NaN pools to NaN, as NumPy's max does; the window must not be
// empty.
std::size_t first_max(std::span<const float> in, const std::vector<std::size_t>& window) {
  std::size_t best = window.front();
  for (const std::size_t k : window) {
    if (std::isnan(in[k])) return k;
    if (in[k] > in[best]) best = k;
  }
  return best;
}

}  // namespace

void ReferenceBackend::pool2d_forward(const Tensor& x, const Pool2DParams& p, Tensor& y,
                                      std::unique_ptr<OpState>* state) {
  if (takes_bf16("reference", {{&x, DType::BF16}, {&y, DType::BF16}})) {
    Tensor yf = reference::widened(y);
    pool2d_forward(reference::widened(x), p, yf, state);
    reference::narrow_into(yf, y);
    return;
  }
  const PoolDims d = pool_dims(x.shape(), y.shape(), p);
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  for_each_window(d, p, [&](std::size_t yi, const std::vector<std::size_t>& window) {
    // A window wholly in the padding (possible only with pads >= the pool size) pools nothing: 0.
    if (window.empty()) {
      out[yi] = 0.f;
    } else if (p.kind == PoolKind::Max) {
      out[yi] = in[first_max(in, window)];
    } else {
      double sum = 0.0;
      for (const std::size_t k : window) sum += in[k];
      out[yi] = static_cast<float>(sum / static_cast<double>(window.size()));
    }
  });
  if (state != nullptr) *state = std::make_unique<ReferencePoolState>(x.shape());
}

void ReferenceBackend::pool2d_backward(const Tensor& x, const Tensor& y, const Tensor& dy, const Pool2DParams& p,
                                       std::unique_ptr<OpState>& state, Tensor& dx) {
  if (takes_bf16("reference", {{&dy, DType::BF16}, {&x, DType::BF16}, {&y, DType::BF16}, {&dx, DType::BF16}})) {
    Tensor dxf = reference::widened(dx);
    pool2d_backward(reference::widened(x), reference::widened(y), reference::widened(dy), p, state, dxf);
    reference::narrow_into(dxf, dx);
    return;
  }
  assert(state != nullptr && dynamic_cast<const ReferencePoolState*>(state.get()) != nullptr &&
         static_cast<const ReferencePoolState&>(*state).x_shape == x.shape());
  (void)state;
  assert(dy.shape() == y.shape() && dx.shape() == x.shape());
  const PoolDims d = pool_dims(x.shape(), y.shape(), p);
  const auto in = reference::values_of(x);
  const auto grad_out = reference::values_of(dy);
  std::vector<double> acc(static_cast<std::size_t>(dx.size()), 0.0);
  for_each_window(d, p, [&](std::size_t yi, const std::vector<std::size_t>& window) {
    if (window.empty()) return;
    if (p.kind == PoolKind::Max) {
      acc[first_max(in, window)] += grad_out[yi];
    } else {
      const double share = static_cast<double>(grad_out[yi]) / static_cast<double>(window.size());
      for (const std::size_t k : window) acc[k] += share;
    }
  });
  auto grad_in = reference::values_of(dx);
  for (std::size_t i = 0; i < acc.size(); ++i) grad_in[i] = static_cast<float>(acc[i]);
}

}  // namespace strata::backends
