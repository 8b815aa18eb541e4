#include <limits>
#include <numbers>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

using reference::sigmoid;
using reference::softplus;

// Keras's fixed SELU constants (keras.activations.selu).
constexpr double kSeluAlpha = 1.6732632423543772;
constexpr double kSeluScale = 1.0507009873554805;

double forward_one(const ActivationFunction& act, double x) {
  switch (act.kind) {
    case ActivationKind::Linear: return x;
    // Keras's ReLU layer, piece by piece as activation.hpp writes it (plain relu is max_value
    // inf, threshold 0, alpha 0).
    // NaN fails every comparison and comes out as itself; below the threshold, no slope gives 0
    // even for -inf (not 0 * -inf).
    case ActivationKind::Relu:
      if (x >= act.max_value) return act.max_value;
      if (!(x < act.threshold)) return x;
      // + 0.0 turns alpha = 0's -0.0 into the +0 Keras and oneDNN return.
      return act.alpha != 0.f ? act.alpha * (x - act.threshold) + 0.0 : 0.0;
    case ActivationKind::Sigmoid: return sigmoid(x);
    case ActivationKind::Tanh: return std::tanh(x);
    case ActivationKind::Elu: return x > 0 ? x : act.alpha * std::expm1(x);
    case ActivationKind::Selu: return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case ActivationKind::Gelu: return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2));
    case ActivationKind::LeakyRelu: return x >= 0 ? x : act.alpha * x;
    case ActivationKind::Softplus: return softplus(x);
    case ActivationKind::Swish: return x * sigmoid(x);
    case ActivationKind::Softmax: break;
  }
  assert(false && "softmax is not element-wise");
  return 0.0;
}

// Relu's clipped piece, where its slope is 0: from max_value on, when there is one (no max_value
// is +inf, and relu'(+inf) is 1).
bool at_max_value(const ActivationFunction& act, double v) {
  return act.max_value != std::numeric_limits<float>::infinity() && v >= act.max_value;
}

// act'(x) written in terms of the output y = act(x); valid only for the kinds whose
// ActivationFunction::backward_from_output() is true, which is exactly when the caller may omit x.
double derivative_from_output(const ActivationFunction& act, double y) {
  switch (act.kind) {
    case ActivationKind::Linear: return 1.0;
    // Keras (TF) takes the derivative at the kink x = 0 from the left: 0 for relu, alpha for
    // leaky_relu and elu. y > 0 exactly when x > 0, so the output tells the side.
    // Relu comes here only with threshold 0 and alpha >= 0: y >= max_value exactly on the
    // clipped piece, y > 0 exactly on the identity piece, and the kink x = 0 gets the left slope.
    case ActivationKind::Relu:
      if (at_max_value(act, y)) return 0.0;
      return y > 0 ? 1.0 : act.alpha;
    case ActivationKind::LeakyRelu: return y > 0 ? 1.0 : act.alpha;
    case ActivationKind::Sigmoid: return y * (1.0 - y);
    case ActivationKind::Tanh: return 1.0 - y * y;
    // For x <= 0, y = alpha (e^x - 1), so alpha e^x = y + alpha.
    case ActivationKind::Elu: return y > 0 ? 1.0 : y + act.alpha;
    case ActivationKind::Selu: return y > 0 ? kSeluScale : y + kSeluScale * kSeluAlpha;
    // softplus' = sigmoid(x) = 1 - e^{-y}, since e^y = 1 + e^x.
    case ActivationKind::Softplus: return -std::expm1(-y);
    case ActivationKind::Gelu:
    case ActivationKind::Swish:
    case ActivationKind::Softmax: break;
  }
  assert(false && "activation needs its input for the backward pass");
  return 0.0;
}

double derivative_from_input(const ActivationFunction& act, double x) {
  switch (act.kind) {
    case ActivationKind::Gelu: {
      const double cdf = 0.5 * (1.0 + std::erf(x / std::numbers::sqrt2));
      const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
      return cdf + x * pdf;
    }
    case ActivationKind::Swish: {
      const double s = sigmoid(x);
      return s * (1.0 + x * (1.0 - s));
    }
    // Reached for Relu with a threshold or a negative slope. The slope at a kink is the one
    // from below at the threshold (alpha, as relu's 0 at x = 0) and 0 from max_value on,
    // matching what the from-output formula gives where both apply.
    case ActivationKind::Relu:
      if (at_max_value(act, x)) return 0.0;
      return x > act.threshold ? 1.0 : act.alpha;
    // Only reached for LeakyRelu with a slope <= 0, where the sign of y no longer tells x's.
    case ActivationKind::LeakyRelu: return x > 0 ? 1.0 : act.alpha;
    default: return derivative_from_output(act, forward_one(act, x));
  }
}

void softmax_forward(const Tensor& x, Tensor& y) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  std::vector<double> e(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t base = r * cols;
    double max = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < cols; ++j) max = std::max(max, static_cast<double>(in[base + j]));
    double sum = 0.0;
    for (std::size_t j = 0; j < cols; ++j) sum += e[j] = std::exp(in[base + j] - max);
    for (std::size_t j = 0; j < cols; ++j) out[base + j] = static_cast<float>(e[j] / sum);
  }
}

void softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx) {
  const auto [rows, cols] = reference::rows_over_last_axis(y.shape());
  const auto out = reference::values_of(y);
  const auto grad_out = reference::values_of(dy);
  auto grad_in = reference::values_of(dx);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t base = r * cols;
    double dot = 0.0;
    for (std::size_t j = 0; j < cols; ++j) dot += static_cast<double>(grad_out[base + j]) * out[base + j];
    for (std::size_t j = 0; j < cols; ++j)
      grad_in[base + j] = static_cast<float>(out[base + j] * (grad_out[base + j] - dot));
  }
}

}  // namespace

void ReferenceBackend::activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) {
  if (takes_bf16("reference", {{&x, DType::BF16}, {&y, DType::BF16}})) {
    Tensor yf = reference::widened(y);
    activation_forward(act, reference::widened(x), yf);
    reference::narrow_into(yf, y);
    return;
  }
  assert(x.size() == y.size());
  if (act.kind == ActivationKind::Softmax) return softmax_forward(x, y);
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = static_cast<float>(forward_one(act, in[i]));
}

void ReferenceBackend::activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y, const Tensor& dy,
                                           Tensor& dx) {
  if (takes_bf16("reference", {{&dy, DType::BF16}, {&x, DType::BF16}, {&y, DType::BF16}, {&dx, DType::BF16}})) {
    Tensor dxf = reference::widened(dx);
    activation_backward(act, reference::widened(x), reference::widened(y), reference::widened(dy), dxf);
    reference::narrow_into(dxf, dx);
    return;
  }
  assert(dy.size() == dx.size());
  if (act.kind == ActivationKind::Softmax) return softmax_backward(y, dy, dx);
  const auto grad_out = reference::values_of(dy);
  auto grad_in = reference::values_of(dx);
  // Use y exactly when the contract lets the caller drop x, so the oracle computes what the
  // other backends compute (and its tests cover the from-output formulas).
  if (act.backward_from_output()) {
    const auto out = reference::values_of(y);
    for (std::size_t i = 0; i < grad_in.size(); ++i)
      grad_in[i] = static_cast<float>(derivative_from_output(act, out[i]) * grad_out[i]);
  } else {
    const auto in = reference::values_of(x);
    for (std::size_t i = 0; i < grad_in.size(); ++i)
      grad_in[i] = static_cast<float>(derivative_from_input(act, in[i]) * grad_out[i]);
  }
}

}  // namespace strata::backends
