#pragma once
// The reference backend: plain loops over host memory and OpenBLAS for matmul. It is the
// oracle the other backends are tested against, so every op is written to be obviously right:
// reductions and transcendental functions run in double, inputs and outputs stay f32.
// Each op family lives in its own .cpp beside this header (memory, dense, activations,
// elementwise, loss, metrics, optimizer_updates).

#include <memory>

#include "strata/backend.hpp"

namespace strata::backends {

class ReferenceBackend final : public Backend {
 public:
  std::string_view name() const override { return "reference"; }

  // memory.cpp
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
  void activation_backward(ActivationFunction act, const Tensor& x, const Tensor& y,
                           const Tensor& dy, Tensor& dx) override;

  // elementwise.cpp
  void dropout_forward(const Tensor& x, float rate, std::uint64_t seed, Tensor& mask,
                       Tensor& y) override;
  void multiply(const Tensor& a, const Tensor& b, Tensor& out) override;
  void scale(Tensor& x, float factor) override;
  void clip(Tensor& x, float lo, float hi) override;
  double sum_squares(const Tensor& x) override;

  // loss.cpp
  void loss(const LossParams& p, const Tensor& y_true, const Tensor& y_pred, Tensor& values,
            Tensor* grad) override;

  // metrics.cpp
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
};

std::unique_ptr<Backend> make_reference_backend();

}  // namespace strata::backends
