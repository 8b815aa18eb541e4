#pragma once
/// Dense: y = activation(x W + b), as keras.layers.Dense.
///
/// Args: units; activation (Keras's string name, default linear); options.
/// Input shape: (batch, ..., input_dim). Output shape: (batch, ..., units).
/// Weights: kernel (input_dim, units), bias (units,).
///
///   Dense(128, "relu");  Dense(10, "softmax", {.use_bias = false});
///   Dense(128, "relu", {.input_shape = {784}});

#include <string>

#include "strata/activation.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

struct DenseOptions {
  bool use_bias = true;
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  Handle<Initializer> bias_initializer = "zeros";
  std::string name = {};
  Shape input_shape = {};
};

class Dense : public LayerOf<Dense> {
 public:
  explicit Dense(std::int64_t units, const std::string& activation = "linear", DenseOptions options = {});

  std::string class_name() const override { return "Dense"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  std::int64_t units() const { return units_; }
  const ActivationFunction& activation() const { return activation_; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::int64_t units_;
  ActivationFunction activation_;
  DenseOptions options_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
