#pragma once
/// LeakyReLU: f(x) = x for x >= 0, negative_slope * x below, as keras.layers.LeakyReLU.
///
///   LeakyReLU();  LeakyReLU(0.1);
/// Input shape: any. Output shape: the input's.

#include <memory>
#include <string>

#include "strata/activation.hpp"
#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class LeakyReLU : public LayerOf<LeakyReLU> {
 public:
  explicit LeakyReLU(double negative_slope = 0.3, LayerOptions options = {});

  std::string class_name() const override { return "LeakyReLU"; }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  double negative_slope() const { return negative_slope_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  double negative_slope_;
  ActivationFunction function_;
};

}  // namespace layers
}  // namespace strata
