#pragma once
/// @class strata::Backend
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
///  - NaN and Inf follow IEEE arithmetic, identically on every backend (checked per op by
///    tests/backends/non_finite_test.cpp): an output that depends on a NaN is NaN (relu(NaN),
///    a max-pool window or a softmax row holding one, a loss of a sample holding one), and
///    infinities give what the formula gives (relu(-inf) = 0, softmax of a row holding +inf is
///    NaN, as in Keras). A derivative multiplies dy, so a NaN dy stays NaN. Where a library
///    kernel drops NaN (oneDNN's max, clip and slope-free relu use vmaxps) the backend takes
///    another path for that op.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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

/// The arguments of Backend::loss: which loss, and Keras's options for it.
struct LossParams {
  /// Which loss to compute.
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

/// What `metric_update` accumulates. Every kind adds the (weighted) sum of its per-sample values
/// to state[0] and the (weighted) number of samples to state[1]; the metric's result is
/// state[0] / state[1]. Samples are the rows of y_pred over its last axis.
enum class MetricKind {
  Mean,                       ///< per-sample value = y_pred element (with a sample_weight: the mean of its row)
  Accuracy,                   ///< mean over the last axis of (y_true == y_pred)
  BinaryAccuracy,             ///< mean over the last axis of ((y_pred > threshold) == y_true)
  CategoricalAccuracy,        ///< argmax(y_true) == argmax(y_pred) over the last axis
  SparseCategoricalAccuracy,  ///< y_true (class index as float) == argmax(y_pred) over the last axis
  MeanSquaredError,           ///< mean over the last axis of (y_true - y_pred)^2
  MeanAbsoluteError,          ///< mean over the last axis of |y_true - y_pred|
  /// 1 when the label l = argmax(y_true) is in the top k of y_pred's row: Keras's in_top_k,
  /// 1 + #{j : p[j] > p[l]} <= k, where p[l] is taken as -inf when it is NaN.
  TopKCategoricalAccuracy,
  /// The same with l = y_true, a class index (truncated toward zero; outside [0, c): p[l] = -inf).
  /// from_sorted_ids: y_pred's row holds class ids by falling score, and the value is 1 when
  /// one of its first k entries equals y_true.
  SparseTopKCategoricalAccuracy,
  /// sum_j y_true[j] y_pred[j] * min(1 / |y_true|, 1e7) * min(1 / |y_pred|, 1e7) over the last
  /// axis (Keras's cosine_similarity: each side l2-normalised with its norm floored at 1e-7).
  CosineSimilarity,
};

/// The arguments of Backend::metric_update besides the tensors.
struct MetricParams {
  /// Which per-sample value to accumulate.
  MetricKind kind = MetricKind::Mean;
  /// BinaryAccuracy: a prediction above it counts as 1.
  float threshold = 0.5f;
  /// The top-k kinds: how many of the highest predictions count.
  std::int64_t k = 5;
  /// SparseTopKCategoricalAccuracy: y_pred holds class ids sorted by score (see MetricKind).
  bool from_sorted_ids = false;
};

/// The arguments of Backend::confusion_update (Precision, Recall, AUC): Keras's
/// metrics_utils.update_confusion_matrix_variables.
struct ConfusionParams {
  /// The thresholds, ascending; a prediction p is positive at threshold t when p > t.
  std::span<const float> thresholds;
  /// Keras's path for evenly spaced thresholds t_i = i / (T - 1) (the ends may be -epsilon and
  /// 1 + epsilon): with q = min(max(p, 0), 1), b = ceil(q * (T - 1)) - 1 in float arithmetic,
  /// raised to 0 when the ends carry the epsilon, p counts as positive at thresholds 0..b. It
  /// equals p > t_i for p in [0, 1] up to float rounding, and is what Keras computes.
  bool evenly_spaced = false;
  /// One set of counts per column of y_pred (AUC's multi_label) instead of one for all columns.
  bool multi_label = false;
  /// > 0: only the top_k predictions of each row keep their value; the others become -1e10
  /// (Keras's _filter_top_k; ties go to the lower index).
  std::int64_t top_k = 0;
  /// >= 0: only this column of y_true and y_pred is counted.
  std::int64_t class_id = -1;
  /// y_pred holds logits: p = sigmoid(y_pred) first (AUC's from_logits).
  bool from_logits = false;
  /// Empty, or one weight per column multiplying the sample weight (AUC's label_weights when
  /// not multi_label).
  std::span<const float> label_weights;
};

/// The arguments of Backend::iou_update (MeanIoU).
struct IouParams {
  /// The classes are 0 .. num_classes - 1.
  std::int64_t num_classes = 2;
  /// y_true holds class indices (else one-hot rows: their argmax is the class).
  bool sparse_y_true = true;
  /// y_pred holds class indices (else scores: their argmax is the class).
  bool sparse_y_pred = true;
  /// Pairs whose true class is this one are not counted.
  std::optional<std::int64_t> ignore_class;
  /// Keras's default int32 dtype: weights are truncated toward zero before they count.
  bool integer_weights = true;
};

/// Keras's SGD: v = momentum v - lr g; w += nesterov ? momentum v - lr g : v (w -= lr g when momentum is 0).
struct SGDParams {
  /// The step size, lr in the formula above.
  float learning_rate = 0.01f;
  /// The momentum coefficient; 0: none.
  float momentum = 0.f;
  /// Nesterov momentum instead of the plain kind.
  bool nesterov = false;
};

/// Keras's Adam, `step` the 1-based number of this update:
/// lr_t = lr sqrt(1 - beta_2^step) / (1 - beta_1^step); m += (g - m)(1 - beta_1);
/// v += (g^2 - v)(1 - beta_2); amsgrad: v_hat = max(v_hat, v), used in place of v;
/// w -= lr_t m / (sqrt(v) + epsilon).
/// The decay rates are double so 1 - beta rounds as Keras's (1 - 0.999f in float is 0.00099998713).
struct AdamParams {
  /// The step size, lr in the formula above.
  float learning_rate = 0.001f;
  /// Decay rate of the first-moment estimate m.
  double beta_1 = 0.9;
  /// Decay rate of the second-moment estimate v.
  double beta_2 = 0.999;
  /// Added to the denominator for numerical stability.
  float epsilon = 1e-7f;
  /// Use AMSGrad's running maximum v_hat of v.
  bool amsgrad = false;
  /// The 1-based number of this update, for the bias corrections.
  std::int64_t step = 1;
};

/// Keras's RMSprop: v = rho v + (1 - rho) g^2; centered: a = rho a + (1 - rho) g, d = v - a^2 + eps,
/// else d = v + eps; inc = lr g / sqrt(d); momentum > 0: m = momentum m + inc, w -= m; else w -= inc.
struct RMSpropParams {
  /// The step size, lr in the formula above.
  float learning_rate = 0.001f;
  /// Decay rate of the moving average of g^2.
  double rho = 0.9;  // double for the reason AdamParams's betas are
  /// The momentum coefficient; 0: none.
  float momentum = 0.f;
  /// Added to the denominator for numerical stability.
  float epsilon = 1e-7f;
  /// Divide by the centred second moment (v - a^2) instead of v.
  bool centered = false;
};

/// Keras's Adagrad: acc += g^2; w -= lr g / sqrt(acc + epsilon).
struct AdagradParams {
  /// The step size, lr in the formula above.
  float learning_rate = 0.001f;
  /// Added to the denominator for numerical stability.
  float epsilon = 1e-7f;
};

/// Keras's Nadam, with the step's scalars computed by the optimizer in float32 as Keras does
/// (u_t = beta_1 (1 - 0.5 * 0.96^t), u_t_1 the same at t + 1, u_product_t the running product of
/// u up to t, u_product_t_1 = u_product_t u_t_1, beta_2_power = beta_2^t):
/// m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2);
/// m_hat = u_t_1 m / (1 - u_product_t_1) + (1 - u_t) g / (1 - u_product_t);
/// v_hat = v / (1 - beta_2_power); w -= lr m_hat / (sqrt(v_hat) + epsilon).
struct NadamParams {
  float learning_rate = 0.001f;     ///< lr in the formula above
  float one_minus_beta_1 = 0.1f;    ///< 1 - beta_1, rounded to float32 from float32 beta_1
  float one_minus_beta_2 = 0.001f;  ///< 1 - beta_2, likewise
  float epsilon = 1e-7f;            ///< added to sqrt(v_hat)
  float u_t = 0.f;                  ///< see above
  float u_t_1 = 0.f;                ///< see above
  float u_product_t = 0.f;          ///< see above
  float u_product_t_1 = 0.f;        ///< see above
  float beta_2_power = 0.f;         ///< see above
};

/// Keras's Adamax: m += (g - m)(1 - beta_1); u = max(beta_2 u, |g|);
/// w -= lr m / ((1 - beta_1_power)(u + epsilon)), beta_1_power = beta_1^t (t the 1-based update).
struct AdamaxParams {
  float learning_rate = 0.001f;  ///< lr in the formula above
  double beta_1 = 0.9;           ///< decay of m (1 - beta_1 is taken in double, as Keras's Python float)
  double beta_2 = 0.999;         ///< decay of the infinity norm u
  float epsilon = 1e-7f;         ///< added to u
  float beta_1_power = 0.9f;     ///< beta_1^t in float32
};

/// Keras's Adadelta: a = rho a + (1 - rho) g^2; d = -sqrt(ad + epsilon) g / sqrt(a + epsilon);
/// ad = rho ad + (1 - rho) d^2; w += lr d (a the accumulated gradient, ad the accumulated delta).
struct AdadeltaParams {
  float learning_rate = 0.001f;  ///< lr in the formula above
  double rho = 0.95;             ///< decay of both accumulators
  float epsilon = 1e-7f;         ///< added under both square roots
};

/// Keras's Lion: w -= lr sign(beta_1 m + (1 - beta_1) g); then m = beta_2 m + (1 - beta_2) g.
/// sign(0) = 0 and sign(NaN) = NaN.
struct LionParams {
  float learning_rate = 0.001f;  ///< lr in the formula above
  float beta_1 = 0.9f;           ///< weight of m in the update's sign
  float beta_2 = 0.99f;          ///< decay of m
};

/// Keras's Ftrl (p = learning_rate_power, n the accumulator, z the linear slot):
/// g' = g + 2 l2_shrinkage w; n' = n + g^2; z += g' - (n'^-p - n^-p) / lr * w;
/// q = n'^-p / lr + 2 l2; w = (clip(z, -l1, l1) - z) / q; n = n'.
struct FtrlParams {
  float learning_rate = 0.001f;       ///< lr in the formula above
  float learning_rate_power = -0.5f;  ///< p, <= 0
  float l1 = 0.f;                     ///< l1_regularization_strength
  float l2 = 0.f;                     ///< l2_regularization_strength + beta / (2 lr), as Keras folds beta in
  float l2_shrinkage = 0.f;           ///< l2_shrinkage_regularization_strength
};

/// Keras's Adafactor, t the 1-based update: rho_t = min(lr, 1 / sqrt(t)); beta_2_t = 1 - t^beta_2_decay;
/// alpha_t = max(epsilon_2, rms(w)) rho_t; G = g^2 + epsilon_1. A variable of rank >= 2, shape
/// (..., R, C), keeps r (..., R) and c (..., C): r = beta_2_t r + (1 - beta_2_t) mean_C(G),
/// c = beta_2_t c + (1 - beta_2_t) mean_R(G), v = r / mean_R(r) * c (outer product per leading
/// index); rank < 2: v = beta_2_t v + (1 - beta_2_t) G. Then u = g / sqrt(v);
/// w -= alpha_t u / max(1, rms(u) / clip_threshold). rms(x) = sqrt(mean(x^2)) over the whole tensor.
struct AdafactorParams {
  float rho_t = 0.001f;        ///< min(lr, 1 / sqrt(t))
  float beta_2_t = 0.f;        ///< 1 - t^beta_2_decay
  float epsilon_1 = 1e-30f;    ///< added to g^2
  float epsilon_2 = 1e-3f;     ///< floor of rms(w)
  float clip_threshold = 1.f;  ///< bound of rms(u)
};

/// The penalty of a Keras regularizer: see Backend::regularize.
enum class RegularizerKind {
  L1L2,        ///< l1 sum |x| + l2 sum x^2 (L1, L2 and L1L2)
  Orthogonal,  ///< OrthogonalRegularizer: factor times the mean |cosine| between distinct rows (or columns)
};

/// The arguments of Backend::regularize: which penalty, and Keras's factors for it.
struct RegularizerParams {
  /// Which penalty.
  RegularizerKind kind = RegularizerKind::L1L2;
  /// @{
  /// L1L2's factors; a term whose factor is 0 is left out (so 0 * inf adds nothing, as in Keras).
  float l1 = 0.f;
  float l2 = 0.f;
  /// @}
  /// Orthogonal's factor.
  float factor = 0.f;
  /// Orthogonal: the vectors are x's rows (true) or its columns (false).
  bool rows = true;
};

/// The projection of a Keras weight constraint: see Backend::constrain.
enum class ConstraintKind {
  MaxNorm,     ///< w * clip(n, 0, max_value) / (epsilon + n)
  MinMaxNorm,  ///< w * (rate clip(n, min_value, max_value) + (1 - rate) n) / (epsilon + n)
  UnitNorm,    ///< w / (epsilon + n)
  NonNeg,      ///< max(w, 0), NaN kept
};

/// The arguments of Backend::constrain. n is the L2 norm of w over the axes in `axes`
/// (sqrt of the sum of squares, kept per position of the other axes); epsilon is 1e-7.
struct ConstraintParams {
  /// Which projection.
  ConstraintKind kind = ConstraintKind::MaxNorm;
  /// @{
  /// The norm bounds and MinMaxNorm's rate.
  float min_value = 0.f;
  float max_value = 0.f;
  float rate = 1.f;
  /// @}
  /// Bit i set: axis i of w is summed over for n.
  std::uint32_t axes = 1;
};

/// A 2-D convolution over channels_last (NHWC) tensors with Keras's kernel layout
/// (kh, kw, in / groups, out). Conv1D is the case h = 1.
///
/// y[n, i, j, o] = b[o] + sum over p < kh, q < kw, c < in / groups of
///     x[n, i * stride_h + p * dilation_h - pad_top, j * stride_w + q * dilation_w - pad_left,
///       g * (in / groups) + c] * w[p, q, c, o],   g = o / (out / groups),
/// reading 0 outside x; the output size is (h + pad_top + pad_bottom - dilation_h (kh - 1) - 1)
/// / stride_h + 1 (and likewise for w).
struct Conv2DParams {
  /// @{
  /// The window's step along rows and columns.
  std::int64_t stride_h = 1, stride_w = 1;
  /// @}
  /// @{
  /// The spacing of the kernel's taps along rows and columns.
  std::int64_t dilation_h = 1, dilation_w = 1;
  /// @}
  /// @{
  /// Implicit padding on each side of the input.
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  /// @}
  /// Channel groups: each output channel sees in / groups input channels.
  std::int64_t groups = 1;
};

/// The window function of a pooling op: its maximum or its mean.
enum class PoolKind { Max, Average };

/// Element-wise binary ops of Backend::binary. Comparisons write 1 where true, else 0.
enum class BinaryOp { Add, Subtract, Multiply, Divide, Maximum, Minimum, Equal, GreaterEqual };

/// Reductions of Backend::reduce.
enum class ReduceOp { Sum, Mean, Max, Min };

/// The recurrent cells of rnn_forward / rnn_backward, with Keras's gate orders and equations
/// (x_t the step's input, h the previous output, W the kernel, U the recurrent kernel, act the
/// activation, ract the recurrent activation):
///  - SimpleRNN: h' = act(x_t W + h U + b).
///  - LSTM, gates in Keras's order i, f, c, o (each a block of `units` columns of W, U and b):
///    i = ract(.), f = ract(.), g = act(.), o = ract(.) of x_t W + h U + b; c' = f c + i g;
///    h' = o act(c').
///  - GRU, gates z, r, h: with reset_after (Keras's default; b is (2, 3 units): input and
///    recurrent biases) z = ract(xz + hz), r = ract(xr + hr), n = act(xh + r hh), where x. are
///    blocks of x_t W + b[0] and h. of h U + b[1]; without it (b is (3 units)) z and r as before
///    with one bias and n = act(xh + (r h) U_h). h' = z h + (1 - z) n.
enum class RnnKind { SimpleRNN, LSTM, GRU };

/// What rnn_forward / rnn_backward compute. The activations are linear, relu, sigmoid or tanh
/// (whose derivatives the kernels take from their outputs).
struct RnnParams {
  /// The cell.
  RnnKind kind = RnnKind::LSTM;
  /// act: tanh by default, as Keras's.
  ActivationFunction activation{ActivationKind::Tanh};
  /// ract, of the LSTM's and GRU's gates: sigmoid by default, as Keras's.
  ActivationFunction recurrent_activation{ActivationKind::Sigmoid};
  /// GRU: apply the reset gate after the recurrent matmul (Keras's default, cuDNN's form).
  bool reset_after = true;
  /// Process the steps from last to first (outputs are then in processing order, as Keras's).
  bool go_backwards = false;
};

/// Columns of W, U and b per unit: 1 for SimpleRNN, 4 for LSTM, 3 for GRU.
std::int64_t rnn_gates(RnnKind kind);
/// The number of float32 values rnn_forward keeps for rnn_backward for a (batch, steps) input
/// and `units` units (the states at every step and the cell's gate values).
std::int64_t rnn_workspace_size(const RnnParams& p, std::int64_t batch, std::int64_t steps, std::int64_t units);

/// A 2-D pooling window over NHWC tensors. Padded positions are never the maximum and are left
/// out of an average's count (Keras's "same"). Max's gradient goes to the first maximum of each
/// window in row-major order.
struct Pool2DParams {
  /// Maximum or average pooling.
  PoolKind kind = PoolKind::Max;
  /// @{
  /// The window's height and width.
  std::int64_t pool_h = 2, pool_w = 2;
  /// @}
  /// @{
  /// The window's step along rows and columns.
  std::int64_t stride_h = 2, stride_w = 2;
  /// @}
  /// @{
  /// Implicit padding on each side of the input.
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  /// @}
};

/// What a forward op hands to its backward (oneDNN workspaces, cuDNN descriptors): each backend
/// defines its own subclass; the caller only keeps it between the two calls.
class OpState {
 public:
  virtual ~OpState() = default;
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// "reference", "cpu", "cuda": the name `set_backend` and STRATA_BACKEND take.
  virtual std::string_view name() const = 0;

  // ---- memory ----------------------------------------------------------------------------
  /// A block of `bytes` for one tensor. A request the backend cannot hold (more than the
  /// device's memory, or the allocator has no such block) raises ResourceExhaustedError before
  /// any memory is touched, never std::bad_alloc.
  virtual std::shared_ptr<Storage> allocate(std::size_t bytes) = 0;
  /// The bytes of every block this backend has handed out and not yet had back: the memory its
  /// tensors hold now (as torch.cuda.memory_allocated).
  virtual std::size_t bytes_in_use() const = 0;
  /// Copies dst.bytes() bytes from host memory into dst.
  virtual void upload(const void* host, Tensor& dst) = 0;
  /// Copies src.bytes() bytes of src into host memory; waits for pending work first.
  virtual void download(const Tensor& src, void* host) = 0;
  /// dst = src, both of this backend and the same size.
  virtual void copy(const Tensor& src, Tensor& dst) = 0;
  /// Sets every element of dst to `value`.
  virtual void fill(Tensor& dst, float value) = 0;
  /// y = x converted to y's dtype, element by element (same number of elements; any of F32,
  /// BF16 and I32 on either side; the same dtype copies). The conversions are NumPy's and
  /// Keras's `cast`, with one defined answer where theirs is the hardware's:
  ///  - to BF16: round to nearest, ties to even; infinities stay, NaN stays NaN, a float beyond
  ///    bf16's largest finite value rounds to infinity (strata::bfloat16's constructor).
  ///    I32 goes through F32 first, as ml_dtypes and XLA convert.
  ///  - BF16 to F32: exact.
  ///  - to I32: truncation toward zero (2.7 -> 2, -2.7 -> -2). NaN, infinities and values
  ///    outside [-2^31, 2^31) give INT32_MIN, as NumPy does on x86 (cvttps2dq's "integer
  ///    indefinite"), on every machine.
  ///  - I32 to F32: round to nearest, ties to even (exact up to 2^24 in magnitude).
  virtual void cast(const Tensor& x, Tensor& y) = 0;
  /// Whether op `op` (the name of the Backend method, e.g. "matmul", "cast") takes tensors of
  /// `dtype`. The default is F32 only; an op handed a dtype it does not support raises
  /// BackendError naming the op rather than misreading the memory. Tests ask first and skip,
  /// saying so, what a backend lacks.
  virtual bool supports(std::string_view op, DType dtype) const;

  // ---- dense -----------------------------------------------------------------------------
  /// y = act(x w + b): x (n, k), w (k, m), b (m) or null, y (n, m). Backends fuse what they can.
  virtual void dense_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act, Tensor& y) = 0;
  /// c = op(a) op(b), op transposing a 2-D operand when asked: (n, k) x (k, m) -> (n, m).
  virtual void matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) = 0;
  /// out (m) = sum over rows of x (n, m): the bias gradient.
  virtual void sum_rows(const Tensor& x, Tensor& out) = 0;

  // ---- activations and element-wise ops --------------------------------------------------
  /// y = act(x) element-wise; Softmax works over the last axis.
  virtual void activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) = 0;
  /// dx = act'(x) * dy (Softmax: y * (dy - sum(dy * y)) over the last axis). When
  /// act.backward_from_output() the caller may pass an undefined x and the op reads y.
  virtual void activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y, const Tensor& dy,
                                   Tensor& dx) = 0;
  /// Inverted dropout: mask[i] = 1 / (1 - rate) where detail::dropout_keeps(seed, i, rate) else 0,
  /// y = x * mask. The mask depends on (seed, i) only, so every backend draws the same one.
  virtual void dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) = 0;
  /// out = a * b element-wise (same shapes).
  virtual void multiply(const Tensor& a, const Tensor& b, Tensor& out) = 0;
  /// out = a + b element-wise (same shapes; out may be a or b): how the engine sums the
  /// gradients of a tensor used twice and of a layer called twice.
  virtual void add(const Tensor& a, const Tensor& b, Tensor& out) = 0;
  /// out = a op b element-wise with NumPy broadcasting: the shapes are aligned at their last
  /// axes, the shorter one padded with 1s in front, and each axis of a and b equals out's or
  /// is 1. Maximum / Minimum propagate NaN.
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  /// out = op of x over every axis where out has size 1 and x does not (out has x's rank; its
  /// other axes equal x's): keepdims reduction. Summing a broadcast operand's gradient back to
  /// its shape is reduce(Sum, dy, d_operand).
  virtual void reduce(ReduceOp op, const Tensor& x, Tensor& out) = 0;
  /// out = x with its axes permuted: out.shape[i] = x.shape[perm[i]].
  virtual void transpose(const Tensor& x, std::span<const int> perm, Tensor& out) = 0;
  /// out = x[..., start : start + out.shape[axis], ...] along `axis` (out's other axes equal x's).
  virtual void slice(const Tensor& x, int axis, std::int64_t start, Tensor& out) = 0;
  /// out[..., start : start + x.shape[axis], ...] = x along `axis`, the rest of out untouched:
  /// concatenation writes each input so; a slice's gradient is a zero fill and this.
  virtual void slice_assign(const Tensor& x, int axis, std::int64_t start, Tensor& out) = 0;
  /// x *= factor.
  virtual void scale(Tensor& x, float factor) = 0;
  /// x = min(max(x, lo), hi).
  virtual void clip(Tensor& x, float lo, float hi) = 0;
  /// sum of x^2 over every element, read back to the host (gradient clipping by norm).
  virtual double sum_squares(const Tensor& x) = 0;

  // ---- convolution and pooling (NHWC) ----------------------------------------------------
  /// y = act(conv(x, w) + b) (see Conv2DParams): x (n, h, w, in), w (kh, kw, in / groups, out),
  /// b (out) or null, y (n, oh, ow, out).
  virtual void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                              const Conv2DParams& p, Tensor& dst) = 0;
  /// dx = d(sum(conv(x, w) * dy)) / dx: the transposed convolution of dy; dx's shape gives h, w.
  virtual void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2DParams& p, Tensor& dx) = 0;
  /// dw = d(sum(conv(x, w) * dy)) / dw and, when db is not null, db = sum of dy over n, oh, ow.
  virtual void conv2d_backward_weights(const Tensor& x, const Tensor& dy, const Conv2DParams& p, Tensor& dw,
                                       Tensor* db) = 0;
  /// y (n, oh, ow, c) = pooling of x (n, h, w, c). With `state` not null (training) the op keeps
  /// in *state whatever pool2d_backward needs.
  virtual void pool2d_forward(const Tensor& x, const Pool2DParams& p, Tensor& y, std::unique_ptr<OpState>* state) = 0;
  /// dx = d(sum(pool(x) * dy)) / dx, from the x, y and state of the training forward call.
  virtual void pool2d_backward(const Tensor& x, const Tensor& y, const Tensor& dy, const Pool2DParams& p,
                               std::unique_ptr<OpState>& state, Tensor& dx) = 0;

  // ---- normalisation (statistics per channel = last axis) --------------------------------
  /// x viewed as (rows, c). mean, variance (c) = the batch's (biased variance, as Keras);
  /// y = gamma (x - mean) / sqrt(variance + epsilon) + beta; then moving_mean = moving_mean *
  /// momentum + mean (1 - momentum), and moving_variance likewise.
  virtual void batch_norm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, float epsilon,
                                           float momentum, Tensor& y, Tensor& mean, Tensor& variance,
                                           Tensor& moving_mean, Tensor& moving_variance) = 0;
  /// y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.
  virtual void batch_norm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            const Tensor& moving_mean, const Tensor& moving_variance, float epsilon,
                                            Tensor& y) = 0;
  /// Gradients of the training forward pass with the batch's mean and variance.
  virtual void batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& gamma, const Tensor& mean,
                                   const Tensor& variance, float epsilon, Tensor& dx, Tensor& dgamma,
                                   Tensor& dbeta) = 0;
  /// Over the last axis of x viewed as (rows, c): mean, rstd (rows) = the row's mean and
  /// 1 / sqrt(variance + epsilon); y = (x - mean) rstd * gamma + beta (gamma, beta (c) or null
  /// for 1 and 0).
  virtual void layer_norm_forward(const Tensor& x, const Tensor* gamma, const Tensor* beta, float epsilon, Tensor& y,
                                  Tensor& mean, Tensor& rstd) = 0;
  /// dx, and dgamma / dbeta when not null, from the forward call's mean and rstd.
  virtual void layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor* gamma, const Tensor& mean,
                                   const Tensor& rstd, Tensor& dx, Tensor* dgamma, Tensor* dbeta) = 0;

  // ---- spatial data movement (NHWC) ------------------------------------------------------
  /// y (n, H, W, c) = zeros with x (n, h, w, c) placed at rows top.., columns left...
  virtual void pad2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) = 0;
  /// y (n, H, W, c) = x[:, top : top + H, left : left + W, :].
  virtual void crop2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) = 0;
  /// Nearest-neighbour upsampling: y[n, i, j, c] = x[n, i / size_h, j / size_w, c].
  virtual void upsample2d_forward(const Tensor& x, std::int64_t size_h, std::int64_t size_w, Tensor& y) = 0;
  /// dx[n, i, j, c] = sum of dy over the size_h x size_w block that copies x[n, i, j, c].
  virtual void upsample2d_backward(const Tensor& dy, std::int64_t size_h, std::int64_t size_w, Tensor& dx) = 0;
  /// y = x * scale + offset element-wise (y may be x).
  virtual void affine(const Tensor& x, float scale, float offset, Tensor& y) = 0;
  /// y (rows, c) = x (rows, c) + b (c) (y may be x).
  virtual void add_bias(const Tensor& x, const Tensor& b, Tensor& y) = 0;
  /// Spatial dropout: x viewed as (n, s, c); mask (n, c) = 1 / (1 - rate) where
  /// detail::dropout_keeps(seed, n * c_count + c, rate), else 0; y = x * mask broadcast over s.
  virtual void spatial_dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) = 0;
  /// y (n, s, c) = x (n, s, c) * scale (n, c) broadcast over s (spatial dropout's backward).
  virtual void channel_scale(const Tensor& x, const Tensor& scale, Tensor& y) = 0;

  // ---- recurrent layers --------------------------------------------------------------------
  /// Runs a recurrent cell (see RnnKind) over x (batch, steps, features): kernel (features,
  /// gates * units), recurrent_kernel (units, gates * units), bias (gates * units), or (2, gates
  /// * units) for GRU with reset_after, or null; h0 and c0 (batch, units) the initial states
  /// (null: zeros; c0 only for LSTM); mask (batch, steps) or null: at a step whose mask is 0 the
  /// states stay as they were and the output is the carried state h (the previous output, or
  /// h0 before the first kept step), as Keras's masked RNN. Writes every step's output into `outputs` (batch, steps,
  /// units), in processing order, the final states into h_last (and c_last for LSTM), and what
  /// backward reads into `workspace` (rnn_workspace_size values).
  virtual void rnn_forward(const RnnParams& p, const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel,
                           const Tensor* bias, const Tensor* h0, const Tensor* c0, const Tensor* mask, Tensor& outputs,
                           Tensor& h_last, Tensor* c_last, Tensor& workspace) = 0;
  /// The gradients of a loss through rnn_forward's call with the same arguments and workspace:
  /// d_outputs (batch, steps, units) or null, and d_h_last (batch, units) or null, are the
  /// loss's gradients with respect to the outputs and the final output. Writes dx (or skips it
  /// when null), d_kernel, d_recurrent_kernel and d_bias (overwritten, not accumulated), and
  /// d_h0 / d_c0 when given.
  virtual void rnn_backward(const RnnParams& p, const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel,
                            const Tensor* bias, const Tensor* mask, const Tensor& workspace, const Tensor* d_outputs,
                            const Tensor* d_h_last, Tensor* dx, Tensor& d_kernel, Tensor& d_recurrent_kernel,
                            Tensor* d_bias, Tensor* d_h0, Tensor* d_c0) = 0;

  // ---- attention -------------------------------------------------------------------------
  /// c[i] = op(a[i]) op(b[i]) for every i of the leading (batch) axis, op transposing the last
  /// two axes when asked: a (batch, n, k), b (batch, k, m), c (batch, n, m). The attention
  /// layers' query-key and score-value products.
  virtual void batch_matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) = 0;
  /// probs = softmax over the last axis of where(mask, scores, -1e9), as Keras's Softmax layer
  /// masks: scores and probs (batch, heads, queries, keys); mask (batch, queries, keys), nonzero
  /// where a query may attend to a key and 0 where not, the same for every head, or null. A
  /// query that may attend to no key gets equal weights over all keys, as in Keras.
  /// probs may alias scores.
  virtual void masked_softmax_forward(const Tensor& scores, const Tensor* mask, Tensor& probs) = 0;
  /// dscores = the gradient through masked_softmax_forward: probs (p dprobs - p sum(p dprobs))
  /// over the last axis, zero where the mask is 0 (where() passes no gradient to the scores it
  /// replaced). Shapes as forward; dscores may alias dprobs.
  virtual void masked_softmax_backward(const Tensor& probs, const Tensor& dprobs, const Tensor* mask,
                                       Tensor& dscores) = 0;

  // ---- embeddings ------------------------------------------------------------------------
  /// y[p, :] = table[indices[p], :] for every position p: indices int32 of any shape, table
  /// (input_dim, output_dim), y indices' shape plus output_dim. An index outside [0, input_dim)
  /// raises ValueError naming it, in TensorFlow's words ("indices[0,3] = 12 is not in [0, 10)"),
  /// on every backend: JAX would clamp it and give a plausible wrong row.
  virtual void embedding_forward(const Tensor& indices, const Tensor& table, Tensor& y) = 0;
  /// dtable (input_dim, output_dim) = the sum of dy's rows over the positions that read each
  /// table row (zero for rows no position read). The indices were checked by forward.
  virtual void embedding_backward(const Tensor& indices, const Tensor& dy, Tensor& dtable) = 0;

  // ---- losses and metrics ----------------------------------------------------------------
  /// values (y_pred's shape without its last axis) = the loss of each sample (see LossKind);
  /// grad (y_pred's shape), when not null = d(p.grad_scale * sum(values)) / d y_pred.
  /// y_true has y_pred's shape, except for SparseCategoricalCrossentropy (values' shape).
  virtual void loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred, Tensor& values, Tensor* grad) = 0;
  /// state (2,) += [sum of w * per-sample value, sum of w] for p.kind (see MetricKind). Samples
  /// are the rows of y_pred over its last axis (every element for Mean without a weight).
  /// sample_weight, when not null, has n elements with rows a multiple of n: row r weighs
  /// w[r / (rows / n)]; without it every weight is 1. y_true has y_pred's shape, except for the
  /// sparse kinds (one class index per row) and Mean (ignored, may be undefined).
  virtual void metric_update(const MetricParams& p, const Tensor& y_true, const Tensor& y_pred,
                             const Tensor* sample_weight, Tensor& state) = 0;
  /// The unweighted update for `kind` with BinaryAccuracy's `threshold`.
  void metric_update(MetricKind kind, const Tensor& y_true, const Tensor& y_pred, float threshold, Tensor& state) {
    metric_update(MetricParams{.kind = kind, .threshold = threshold}, y_true, y_pred, nullptr, state);
  }
  /// Confusion counts at thresholds (see ConfusionParams). y_true and y_pred are (rows, c); a
  /// label is positive when y_true != 0. state (4, T, L) += the weighted counts of [true
  /// positives, false positives, true negatives, false negatives] at each threshold, for each
  /// column (L = c, multi_label) or for all columns together (L = 1); with class_id, L = 1 and
  /// only that column counts. sample_weight, when not null, has n elements with rows a multiple
  /// of n: row r and each of its columns weigh w[r / (rows / n)]. A
  /// NaN prediction adds NaN to the four counts of its L slot at every threshold, so the
  /// result shows it (Keras would count it as a negative).
  virtual void confusion_update(const ConfusionParams& p, const Tensor& y_true, const Tensor& y_pred,
                                const Tensor* sample_weight, Tensor& state) = 0;
  /// FBetaScore's counts: y_true, y_pred (rows, c); b = y_pred > threshold, or when threshold is
  /// NaN (Keras's threshold=None) b = y_pred >= the row's max and |y_pred| > 1e-9; b is NaN
  /// where y_pred is NaN (or, without a threshold, where the row's max is). With w the row's
  /// sample weight (1 without one), state (4, c) += column sums of [w b y, w b (1 - y),
  /// w (1 - b) y, w y].
  virtual void fbeta_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, float threshold,
                            Tensor& state) = 0;
  /// R2Score's sums: y_true, y_pred (rows, c), w the row's sample weight (1 without one):
  /// state (4, c) += column sums of [w y, w y^2, w (y - p)^2, w].
  virtual void r2_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor& state) = 0;
  /// MeanIoU's confusion matrix (see IouParams). y_true is (n,) (sparse) or (n, c) (argmax of
  /// each row), y_pred likewise; classes are truncated toward zero. state (k, k) [true][predicted]
  /// += the pair's weight; sample_weight, when not null, has m elements with n a multiple of m:
  /// pair i weighs w[i / (n / m)]. Pairs with a class outside [0, k), or whose true class is
  /// ignore_class, are dropped (as Keras does). A NaN class index adds NaN to state[0][0].
  virtual void iou_update(const IouParams& p, const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                          Tensor& state) = 0;

  // ---- optimizer updates: one fused, in-place kernel per variable -------------------------
  /// One SGD step on w in place (see SGDParams); velocity is null without momentum.
  virtual void sgd_update(Tensor& w, const Tensor& g, Tensor* velocity, const SGDParams& p) = 0;
  /// One Adam step on w, m and v in place (see AdamParams); v_hat is null without amsgrad.
  virtual void adam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, Tensor* v_hat, const AdamParams& p) = 0;
  /// One RMSprop step in place (see RMSpropParams); momentum and average_grad are null when unused.
  virtual void rmsprop_update(Tensor& w, const Tensor& g, Tensor& velocity, Tensor* momentum, Tensor* average_grad,
                              const RMSpropParams& p) = 0;
  /// One Adagrad step on w and its accumulator in place (see AdagradParams).
  virtual void adagrad_update(Tensor& w, const Tensor& g, Tensor& accumulator, const AdagradParams& p) = 0;
  /// One Nadam step on w, m and v in place (see NadamParams).
  virtual void nadam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const NadamParams& p) = 0;
  /// One Adamax step on w, m and the norm u in place (see AdamaxParams).
  virtual void adamax_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& u, const AdamaxParams& p) = 0;
  /// One Adadelta step on w and its two accumulators in place (see AdadeltaParams).
  virtual void adadelta_update(Tensor& w, const Tensor& g, Tensor& accumulated_grad, Tensor& accumulated_delta,
                               const AdadeltaParams& p) = 0;
  /// One Lion step on w and m in place (see LionParams).
  virtual void lion_update(Tensor& w, const Tensor& g, Tensor& m, const LionParams& p) = 0;
  /// One Ftrl step on w, the accumulator and the linear slot in place (see FtrlParams).
  virtual void ftrl_update(Tensor& w, const Tensor& g, Tensor& accumulator, Tensor& linear, const FtrlParams& p) = 0;
  /// One Adafactor step in place (see AdafactorParams); r and c are null for w of rank < 2,
  /// where v is the running second moment, else v is overwritten from r and c.
  virtual void adafactor_update(Tensor& w, const Tensor& g, Tensor* r, Tensor* c, Tensor& v,
                                const AdafactorParams& p) = 0;
  /// An optimizer's moving average of a variable: average = momentum average + (1 - momentum)
  /// variable, 1 - momentum taken in float32.
  virtual void ema_update(Tensor& average, const Tensor& variable, float momentum) = 0;

  // Regularizers and constraints
  /// total (1,) += scale * penalty(x); grad (x's shape), when not null, += scale * d penalty / dx.
  /// |x|'s derivative is jax's, which Keras's gradients are: a(x) = 1 for x >= 0 (0 included),
  /// -1 for x < 0, and NaN for NaN.
  ///  - L1L2: penalty = l1 sum |x| + l2 sum x^2; d/dx = l1 a(x) + 2 l2 x.
  ///  - Orthogonal: x (r, c); the n vectors v_i are its rows (n = r) or columns (n = c);
  ///    u_i = v_i min(1 / sqrt(s_i), 1e7), s_i = |v_i|^2 (Keras's normalize); P_ij = u_i . u_j;
  ///    penalty = factor 0.5 sum over i != j of |P_ij| / (n (n - 1) / 2) (NaN for n = 1, as Keras's 0 / 0);
  ///    d/du_i = 2 k sum over j != i of a(P_ij) u_j with k = factor 0.5 / (n (n - 1) / 2), and
  ///    d/dv_i = (d/du_i - u_i (u_i . d/du_i)) / sqrt(s_i) where 1 / sqrt(s_i) < 1e7, else
  ///    1e7 d/du_i, except NaN where s_i^(-3/2) overflows f32 (s_i = 0 included): jax's derivative
  ///    of the clamped 1 / sqrt(s) is then 0 times infinity.
  virtual void regularize(const Tensor& x, const RegularizerParams& p, float scale, Tensor& total, Tensor* grad) = 0;
  /// w = the projection `p` describes, in place (see ConstraintKind and ConstraintParams).
  virtual void constrain(Tensor& w, const ConstraintParams& p) = 0;
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
