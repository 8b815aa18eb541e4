#pragma once
// The cpu backend: oneDNN primitives, created once per shape and cached, plus OpenMP loops for
// the fused losses, metrics and optimizer updates that oneDNN does not provide.
//
// One op family per file: memory.cpp, cast.cpp (dtype conversions), dense.cpp (dense_forward,
// matmul, sum_rows), activations.cpp, elementwise.cpp (dropout, multiply, add, scale, clip, sum_squares),
// broadcast.cpp (binary ops with broadcasting, keepdims reductions), layout.cpp (transpose,
// slice, slice_assign), conv2d.cpp, pool2d.cpp, normalization.cpp (batch and layer norm),
// spatial.cpp (pad, crop, upsample and the per-channel ops), loss.cpp, metrics.cpp,
// optimizer_updates.cpp, regularization.cpp (regularizer penalties, weight constraints);
// dnnl_context.{hpp,cpp} hold the engine, stream and the primitive cache, kernels.{hpp,cpp} the
// loop helpers, strided.hpp the axis merging broadcast and layout share.

#include <atomic>
#include <memory>
#include <source_location>

#include "strata/backend.hpp"

namespace strata::backends {

namespace cpu {
class DnnlContext;
}

std::unique_ptr<Backend> make_cpu_backend();

class CpuBackend final : public Backend {
 public:
  CpuBackend();
  ~CpuBackend() override;

  std::string_view name() const override { return "cpu"; }

  // memory.cpp: host buffers (backends/host_memory.hpp).
  std::shared_ptr<Storage> allocate(std::size_t bytes) override;
  std::size_t bytes_in_use() const override;
  void upload(const void* host, Tensor& dst) override;
  void download(const Tensor& src, void* host) override;
  void copy(const Tensor& src, Tensor& dst) override;
  void fill(Tensor& dst, float value) override;

  // cast.cpp
  void cast(const Tensor& x, Tensor& y) override;
  bool supports(std::string_view op, DType dtype) const override;

  // dense.cpp
  void dense_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act, Tensor& y) override;
  void matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) override;
  void sum_rows(const Tensor& x, Tensor& out) override;

  // activations.cpp
  void activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) override;
  void activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y, const Tensor& dy,
                           Tensor& dx) override;

  // elementwise.cpp
  void dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) override;
  void multiply(const Tensor& a, const Tensor& b, Tensor& out) override;
  void add(const Tensor& a, const Tensor& b, Tensor& out) override;
  void scale(Tensor& x, float factor) override;
  void clip(Tensor& x, float lo, float hi) override;
  double sum_squares(const Tensor& x) override;

  // broadcast.cpp: binary ops with NumPy broadcasting and keepdims reductions
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) override;
  void reduce(ReduceOp op, const Tensor& x, Tensor& out) override;

  // layout.cpp
  void transpose(const Tensor& x, std::span<const int> perm, Tensor& out) override;
  void slice(const Tensor& x, int axis, std::int64_t start, Tensor& out) override;
  void slice_assign(const Tensor& x, int axis, std::int64_t start, Tensor& out) override;

  // conv2d.cpp: oneDNN convolutions on NHWC activations, weights reordered from Keras's layout
  // into the primitive's own on every call.
  void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act, const Conv2DParams& p,
                      Tensor& dst) override;
  void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2DParams& p, Tensor& dx) override;
  void conv2d_backward_weights(const Tensor& x, const Tensor& dy, const Conv2DParams& p, Tensor& dw,
                               Tensor* db) override;

  // pool2d.cpp: oneDNN pooling_v2; max pooling's workspace travels in the OpState.
  void pool2d_forward(const Tensor& x, const Pool2DParams& p, Tensor& y, std::unique_ptr<OpState>* state) override;
  void pool2d_backward(const Tensor& x, const Tensor& y, const Tensor& dy, const Pool2DParams& p,
                       std::unique_ptr<OpState>& state, Tensor& dx) override;

  // normalization.cpp: batch norm through oneDNN, layer norm as plain loops.
  void batch_norm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, float epsilon,
                                   float momentum, Tensor& y, Tensor& mean, Tensor& variance, Tensor& moving_mean,
                                   Tensor& moving_variance) override;
  void batch_norm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& moving_mean,
                                    const Tensor& moving_variance, float epsilon, Tensor& y) override;
  void batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& gamma, const Tensor& mean,
                           const Tensor& variance, float epsilon, Tensor& dx, Tensor& dgamma, Tensor& dbeta) override;
  void layer_norm_forward(const Tensor& x, const Tensor* gamma, const Tensor* beta, float epsilon, Tensor& y,
                          Tensor& mean, Tensor& rstd) override;
  void layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor* gamma, const Tensor& mean,
                           const Tensor& rstd, Tensor& dx, Tensor* dgamma, Tensor* dbeta) override;

  // spatial.cpp: padding, cropping, upsampling and the per-channel element-wise ops, as loops.
  void pad2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) override;
  void crop2d(const Tensor& x, std::int64_t top, std::int64_t left, Tensor& y) override;
  void upsample2d_forward(const Tensor& x, std::int64_t size_h, std::int64_t size_w, Tensor& y) override;
  void upsample2d_backward(const Tensor& dy, std::int64_t size_h, std::int64_t size_w, Tensor& dx) override;
  void affine(const Tensor& x, float scale, float offset, Tensor& y) override;
  void add_bias(const Tensor& x, const Tensor& b, Tensor& y) override;
  void spatial_dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask, Tensor& y) override;
  void channel_scale(const Tensor& x, const Tensor& scale, Tensor& y) override;

  // rnn.cpp
  void rnn_forward(const RnnParams& p, const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel,
                   const Tensor* bias, const Tensor* h0, const Tensor* c0, const Tensor* mask, Tensor& outputs,
                   Tensor& h_last, Tensor* c_last, Tensor& workspace) override;
  void rnn_backward(const RnnParams& p, const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel,
                    const Tensor* bias, const Tensor* mask, const Tensor& workspace, const Tensor* d_outputs,
                    const Tensor* d_h_last, Tensor* dx, Tensor& d_kernel, Tensor& d_recurrent_kernel, Tensor* d_bias,
                    Tensor* d_h0, Tensor* d_c0) override;

  // attention.cpp
  void batch_matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c) override;
  void masked_softmax_forward(const Tensor& scores, const Tensor* mask, Tensor& probs) override;
  void masked_softmax_backward(const Tensor& probs, const Tensor& dprobs, const Tensor* mask, Tensor& dscores) override;

  // embedding.cpp
  void embedding_forward(const Tensor& indices, const Tensor& table, Tensor& y) override;
  void embedding_backward(const Tensor& indices, const Tensor& dy, Tensor& dtable) override;

  // loss.cpp, metrics.cpp
  void loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred, Tensor& values, Tensor* grad) override;
  using Backend::metric_update;
  void metric_update(const MetricParams& p, const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                     Tensor& state) override;
  // metric_counts.cpp
  void confusion_update(const ConfusionParams& p, const Tensor& y_true, const Tensor& y_pred,
                        const Tensor* sample_weight, Tensor& state) override;
  void fbeta_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, float threshold,
                    Tensor& state) override;
  void r2_update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor& state) override;
  void iou_update(const IouParams& p, const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                  Tensor& state) override;

  // optimizer_updates.cpp
  void sgd_update(Tensor& w, const Tensor& g, Tensor* velocity, const SGDParams& p) override;
  void adam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, Tensor* v_hat, const AdamParams& p) override;
  void rmsprop_update(Tensor& w, const Tensor& g, Tensor& velocity, Tensor* momentum, Tensor* average_grad,
                      const RMSpropParams& p) override;
  void adagrad_update(Tensor& w, const Tensor& g, Tensor& accumulator, const AdagradParams& p) override;
  // more_optimizer_updates.cpp
  void nadam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, const NadamParams& p) override;
  void adamax_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& u, const AdamaxParams& p) override;
  void adadelta_update(Tensor& w, const Tensor& g, Tensor& accumulated_grad, Tensor& accumulated_delta,
                       const AdadeltaParams& p) override;
  void lion_update(Tensor& w, const Tensor& g, Tensor& m, const LionParams& p) override;
  void ftrl_update(Tensor& w, const Tensor& g, Tensor& accumulator, Tensor& linear, const FtrlParams& p) override;
  void adafactor_update(Tensor& w, const Tensor& g, Tensor* r, Tensor* c, Tensor& v, const AdafactorParams& p) override;
  void ema_update(Tensor& average, const Tensor& variable, float momentum) override;

  // regularization.cpp
  void regularize(const Tensor& x, const RegularizerParams& p, float scale, Tensor& total, Tensor* grad) override;
  void constrain(Tensor& w, const ConstraintParams& p) override;

  /// Number of cached oneDNN primitive chains (tests check that a repeated step adds none).
  std::size_t cached_primitives() const;

 private:
  /// Standalone eltwise forward / backward through a cached oneDNN primitive.
  void dnnl_eltwise_forward(ActivationFunction act, const Tensor& x, Tensor& y);
  /// dx from x for the first eltwise step of `act` (Selu: its elu; the caller scales).
  void dnnl_eltwise_backward(ActivationFunction act, const Tensor& x, const Tensor& dy, Tensor& dx);
  void dnnl_softmax_forward(const void* x, DType x_dtype, Tensor& y);
  // activation_forward's own loops (relu, leaky relu, softmax) from x, y.size() values of
  // x_dtype, into y: of the same dtype, or bf16 from f32, so that a bf16 dense or conv op whose
  // activation runs after its product rounds that product only once, after the activation.
  void activation_loop(ActivationFunction act, const void* x, DType x_dtype, Tensor& y);
  /// matmul and batch_matmul: c = op(a) op(b) for 2-D operands, or for each pair along the
  /// leading axis of 3-D ones, through one cached oneDNN matmul primitive (a transposed operand
  /// read through swapped strides); f32 operands, or bf16 ones with an f32 or bf16 c. A dtype
  /// error names the op at `where` (the caller).
  void matmul_product(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c,
                      const std::source_location& where);
  /// dense_forward split over k: one single-threaded matmul per thread into partial sums, then
  /// sum + bias + activation (dense.cpp explains when and why).
  void split_k_dense(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act, Tensor& y,
                     std::int64_t threads);

  std::unique_ptr<cpu::DnnlContext> ctx_;
  std::atomic<std::size_t> in_use_{0};  // bytes of the live blocks allocate handed out
};

}  // namespace strata::backends
