#pragma once
// The cpu backend: oneDNN primitives, created once per shape and cached, plus OpenMP loops for
// the fused losses, metrics and optimizer updates that oneDNN does not provide.
//
// One op family per file: memory.cpp, dense.cpp (dense_forward, matmul, sum_rows),
// activations.cpp, elementwise.cpp (dropout, multiply, scale, clip, sum_squares), loss.cpp,
// metrics.cpp, optimizer_updates.cpp; dnnl_context.{hpp,cpp} hold the engine, stream and the
// primitive cache, kernels.{hpp,cpp} the loop helpers.

#include <memory>

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

  // memory.cpp: 64-byte aligned host buffers.
  std::shared_ptr<Storage> allocate(std::size_t bytes) override;
  void upload(const void* host, Tensor& dst) override;
  void download(const Tensor& src, void* host) override;
  void copy(const Tensor& src, Tensor& dst) override;
  void fill(Tensor& dst, float value) override;

  // dense.cpp
  void dense_forward(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                     Tensor& y) override;
  void matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b,
              Tensor& c) override;
  void sum_rows(const Tensor& x, Tensor& out) override;

  // activations.cpp
  void activation_forward(ActivationFunction act, const Tensor& x, Tensor& y) override;
  void activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y, const Tensor& dy,
                           Tensor& dx) override;

  // elementwise.cpp
  void dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask,
                       Tensor& y) override;
  void multiply(const Tensor& a, const Tensor& b, Tensor& out) override;
  void scale(Tensor& x, float factor) override;
  void clip(Tensor& x, float lo, float hi) override;
  double sum_squares(const Tensor& x) override;

  // loss.cpp, metrics.cpp
  void loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred, Tensor& values,
            Tensor* grad) override;
  void metric_update(MetricKind kind, const Tensor& y_true, const Tensor& y_pred, float threshold,
                     Tensor& state) override;

  // optimizer_updates.cpp
  void sgd_update(Tensor& w, const Tensor& g, Tensor* velocity, const SGDParams& p) override;
  void adam_update(Tensor& w, const Tensor& g, Tensor& m, Tensor& v, Tensor* v_hat,
                   const AdamParams& p) override;
  void rmsprop_update(Tensor& w, const Tensor& g, Tensor& velocity, Tensor* momentum,
                      Tensor* average_grad, const RMSpropParams& p) override;
  void adagrad_update(Tensor& w, const Tensor& g, Tensor& accumulator,
                      const AdagradParams& p) override;

  /// Number of cached oneDNN primitive chains (tests check that a repeated step adds none).
  std::size_t cached_primitives() const;

 private:
  /// Standalone eltwise forward / backward through a cached oneDNN primitive.
  void dnnl_eltwise_forward(ActivationFunction act, const Tensor& x, Tensor& y);
  /// dx from x for the first eltwise step of `act` (Selu: its elu; the caller scales).
  void dnnl_eltwise_backward(ActivationFunction act, const Tensor& x, const Tensor& dy, Tensor& dx);
  void dnnl_softmax_forward(const Tensor& x, Tensor& y);
  /// dense_forward split over k: one single-threaded matmul per thread into partial sums, then
  /// sum + bias + activation (dense.cpp explains when and why).
  void split_k_dense(const Tensor& x, const Tensor& w, const Tensor* b, ActivationFunction act,
                     Tensor& y, std::int64_t threads);

  std::unique_ptr<cpu::DnnlContext> ctx_;
};

}  // namespace strata::backends
