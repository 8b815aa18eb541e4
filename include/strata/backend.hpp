#pragma once
/// The Backend contract: every kernel Strata runs. Layers, losses, metrics and optimizers see
/// only this interface; a backend owns its tensors' memory and may cache whatever it likes
/// (oneDNN primitives, cuDNN descriptors) keyed by the shapes it is called with.
///
/// Conventions for every op:
///  - Outputs are written into tensors the caller allocated with the right shape; nothing here
///    allocates a result.
///  - All tensors are row-major and belong to this backend. Inputs were validated by the caller
///    (a backend asserts in debug builds only).
///  - An op may read its inputs and write its outputs on another thread of its own pool, but has
///    finished when it returns, except on device backends, where `download` is the sync point.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/activation.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// The losses the fused loss op computes. See `Backend::loss`.
enum class LossKind {
  MeanSquaredError,               ///< mean over the last axis of (y - p)^2
  MeanAbsoluteError,              ///< mean over the last axis of |y - p|
  Huber,                          ///< mean over the last axis of 0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta)
  BinaryCrossentropy,             ///< mean over the last axis of -(y log p + (1 - y) log(1 - p))
  CategoricalCrossentropy,        ///< -sum over the last axis of y log p
  SparseCategoricalCrossentropy,  ///< -log p[label]; labels are class indices stored as floats
};

struct LossParams {
  LossKind kind = LossKind::MeanSquaredError;
  /// Crossentropies: y_pred holds logits (true) or probabilities (false). Keras's probability
  /// path normalises p to sum 1 over the last axis (categorical) and clips it to
  /// [1e-7, 1 - 1e-7] before the log; the gradient is exact through both steps (zero where clipped).
  bool from_logits = false;
  /// Crossentropies: y <- y (1 - s) + s / num_classes (categorical) or + 0.5 s (binary).
  float label_smoothing = 0.f;
  /// Huber's threshold.
  float delta = 1.f;
  /// The gradient written is d(grad_scale * sum(values)) / d y_pred, so the reduction's 1/N is fused.
  float grad_scale = 1.f;
};

/// What `metric_update` accumulates. Every kind adds the sum of its per-sample values to
/// state[0] and the number of samples to state[1]; the metric's result is state[0] / state[1].
enum class MetricKind {
  Mean,                       ///< per-sample value = y_pred element; y_true is ignored (may be undefined)
  Accuracy,                   ///< mean over the last axis of (y_true == y_pred)
  BinaryAccuracy,             ///< mean over the last axis of ((y_pred > threshold) == y_true)
  CategoricalAccuracy,        ///< argmax(y_true) == argmax(y_pred) over the last axis
  SparseCategoricalAccuracy,  ///< y_true (class index as float) == argmax(y_pred) over the last axis
  MeanSquaredError,           ///< mean over the last axis of (y_true - y_pred)^2
  MeanAbsoluteError,          ///< mean over the last axis of |y_true - y_pred|
};

/// Keras's SGD: v = momentum v - lr g; w += nesterov ? momentum v - lr g : v (w -= lr g when momentum is 0).
struct SGDParams {
  float learning_rate = 0.01f;
  float momentum = 0.f;
  bool nesterov = false;
};

/// Keras's Adam, `step` the 1-based number of this update:
/// lr_t = lr sqrt(1 - beta_2^step) / (1 - beta_1^step); m += (g - m)(1 - beta_1);
/// v += (g^2 - v)(1 - beta_2); amsgrad: v_hat = max(v_hat, v), used in place of v;
/// w -= lr_t m / (sqrt(v) + epsilon).
/// The decay rates are double so 1 - beta rounds as Keras's (1 - 0.999f in float is 0.00099998713).
struct AdamParams {
  float learning_rate = 0.001f;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  float epsilon = 1e-7f;
  bool amsgrad = false;
  std::int64_t step = 1;
};

/// Keras's RMSprop: v = rho v + (1 - rho) g^2; centered: a = rho a + (1 - rho) g, d = v - a^2 + eps,
/// else d = v + eps; inc = lr g / sqrt(d); momentum > 0: m = momentum m + inc, w -= m; else w -= inc.
struct RMSpropParams {
  float learning_rate = 0.001f;
  double rho = 0.9;  // double for the reason AdamParams's betas are
  float momentum = 0.f;
  float epsilon = 1e-7f;
  bool centered = false;
};

/// Keras's Adagrad: acc += g^2; w -= lr g / sqrt(acc + epsilon).
struct AdagradParams {
  float learning_rate = 0.001f;
  float epsilon = 1e-7f;
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// "reference", "cpu", "cuda": the name `set_backend` and STRATA_BACKEND take.
  virtual std::string_view name() const = 0;

  // ---- memory ----------------------------------------------------------------------------
  virtual std::shared_ptr<Storage> allocate(std::size_t bytes) = 0;
  /// Copies dst.bytes() bytes from host memory into dst.
  virtual void upload(const void* host, Tensor& dst) = 0;
  /// Copies src.bytes() bytes of src into host memory; waits for pending work first.
  virtual void download(const Tensor& src, void* host) = 0;
  virtual void copy(const Tensor& src, Tensor& dst) = 0;
  virtual void fill(Tensor& dst, float value) = 0;

  // ---- dense -----------------------------------------------------------------------------
  /// y = act(x w + b): x (n, k), w (k, m), b (m) or null, y (n, m). Backends fuse what they can.
  virtual void dense_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                             Tensor& y) = 0;
  /// c = op(a) op(b), op transposing a 2-D operand when asked: (n, k) x (k, m) -> (n, m).
  virtual void matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b,
                      Tensor& c) = 0;
  /// out (m) = sum over rows of x (n, m): the bias gradient.
  virtual void sum_rows(const Tensor& x, Tensor& out) = 0;

  // ---- activations and element-wise ops --------------------------------------------------
  /// y = act(x) element-wise; Softmax works over the last axis.
  virtual void activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) = 0;
  /// dx = act'(x) * dy (Softmax: y * (dy - sum(dy * y)) over the last axis). When
  /// act.backward_from_output() the caller may pass an undefined x and the op reads y.
  virtual void activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y,
                                   const Tensor& dy, Tensor& dx) = 0;
  /// Inverted dropout: mask[i] = 1 / (1 - rate) where detail::dropout_keeps(seed, i, rate) else 0,
  /// y = x * mask. The mask depends on (seed, i) only, so every backend draws the same one.
  virtual void dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask,
                               Tensor& y) = 0;
  /// out = a * b element-wise (same shapes).
  virtual void multiply(const Tensor& a, const Tensor& b, Tensor& out) = 0;
  /// x *= factor.
  virtual void scale(Tensor& x, float factor) = 0;
  /// x = min(max(x, lo), hi).
  virtual void clip(Tensor& x, float lo, float hi) = 0;
  /// sum of x^2 over every element, read back to the host (gradient clipping by norm).
  virtual double sum_squares(const Tensor& x) = 0;

  // ---- losses and metrics ----------------------------------------------------------------
  /// values (y_pred's shape without its last axis) = the loss of each sample (see LossKind);
  /// grad (y_pred's shape), when not null = d(p.grad_scale * sum(values)) / d y_pred.
  /// y_true has y_pred's shape, except for SparseCategoricalCrossentropy (values' shape).
  virtual void loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred,
                    Tensor& values, Tensor* grad) = 0;
  /// state (2,) += [sum of per-sample values, number of samples] for `kind` (see MetricKind).
  /// Samples are all but the last axis of y_pred (every element for Mean).
  virtual void metric_update(MetricKind kind, const Tensor& y_true, const Tensor& y_pred,
                             float threshold, Tensor& state) = 0;

  // ---- optimizer updates: one fused, in-place kernel per variable -------------------------
  virtual void sgd_update(Tensor& w, const Tensor& g, Tensor* velocity, const SGDParams& p) = 0;
  virtual void adam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, Tensor* v_hat,
                           const AdamParams& p) = 0;
  virtual void rmsprop_update(Tensor& w, const Tensor& g, Tensor& velocity, Tensor* momentum,
                              Tensor* average_grad, const RMSpropParams& p) = 0;
  virtual void adagrad_update(Tensor& w, const Tensor& g, Tensor& accumulator,
                              const AdagradParams& p) = 0;
};

/// The backend named `name` ("reference", "cpu"); throws ValueError listing the valid names.
Backend& get_backend(std::string_view name);
/// The backend new layers and models use: set_backend's choice, else STRATA_BACKEND, else "cpu".
Backend& current_backend();
/// Makes `name` the current backend for layers built from now on.
void set_backend(std::string_view name);
/// Names of the backends compiled into this build.
std::vector<std::string> available_backends();

/// One thread setting for every pool Strata uses (oneDNN's OpenMP, OpenBLAS). The default is
/// the number of cores available to the process.
void set_num_threads(int n);
int num_threads();

}  // namespace strata
