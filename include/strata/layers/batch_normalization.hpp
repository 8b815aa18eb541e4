#pragma once
/// BatchNormalization: normalises each channel (the last axis), as keras.layers.BatchNormalization.
///
/// In training (fit) the layer uses the batch's mean and (biased) variance and updates the
/// moving statistics: moving = moving * momentum + batch * (1 - momentum). In inference
/// (evaluate, predict) and whenever the layer is not trainable it uses the moving statistics:
///   y = gamma (x - mean) / sqrt(variance + epsilon) + beta.
/// Input shape: any rank >= 2, channels last. Output shape: the input's.
/// Weights, Keras's order: gamma (c,) when scale, beta (c,) when center (trainable), then
/// moving_mean (c,) and moving_variance (c,) (non-trainable).
///
///   BatchNormalization();  BatchNormalization({.momentum = 0.9, .epsilon = 1e-5});

#include <string>

#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

struct BatchNormalizationOptions {
  /// The channel axis; only the last one (-1, or rank - 1) is supported so far.
  int axis = -1;
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  ///< learn beta
  bool scale = true;   ///< learn gamma
  Handle<Initializer> beta_initializer = "zeros";
  Handle<Initializer> gamma_initializer = "ones";
  Handle<Initializer> moving_mean_initializer = "zeros";
  Handle<Initializer> moving_variance_initializer = "ones";
  std::string name = {};
  Shape input_shape = {};
};

class BatchNormalization : public LayerOf<BatchNormalization> {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});

  std::string class_name() const override { return "BatchNormalization"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  const BatchNormalizationOptions& options() const { return options_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  BatchNormalizationOptions options_;
  Variable* gamma_ = nullptr;
  Variable* beta_ = nullptr;
  Variable* moving_mean_ = nullptr;
  Variable* moving_variance_ = nullptr;
  Tensor ones_, zeros_;  // stand-ins for gamma and beta when scale / center are off
};

}  // namespace layers
}  // namespace strata
