#include "strata/layers/activation.hpp"

#include <nlohmann/json.hpp>

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Activation::Activation(const std::string& activation, std::string name)
    : Layer("activation", std::move(name)), function_(ActivationFunction::from_name(activation)) {}

Tensor Activation::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, x.shape());
  backend().activation_forward(function_, x, y);
  if (training) {
    input_ = x;
    output_ = y;
  }
  return y;
}

Tensor Activation::backward_impl(const Tensor& dy, bool need_input_grad) {
  STRATA_CHECK(output_.defined(), StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, dy.shape());
  backend().activation_backward(function_, input_, output_, dy, dx);
  return dx;
}

nlohmann::json Activation::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["activation"] = function_.name();
  return config;
}

std::shared_ptr<Layer> Activation::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Activation>(config.value("activation", "linear"), config.value("name", ""));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
