#include "strata/layers/leaky_re_lu.hpp"

#include <nlohmann/json.hpp>

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

LeakyReLU::LeakyReLU(double negative_slope, std::string name)
    : Layer("leaky_re_lu", std::move(name)), negative_slope_(negative_slope) {
  STRATA_CHECK(negative_slope >= 0, ValueError,
               "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. "
               "Received: negative_slope=",
               negative_slope);
  function_.kind = ActivationKind::LeakyRelu;
  function_.alpha = static_cast<float>(negative_slope);
}

Tensor LeakyReLU::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, x.shape());
  backend().activation_forward(function_, x, y);
  if (training) {
    input_ = x;
    output_ = y;
  }
  return y;
}

Tensor LeakyReLU::backward_impl(const Tensor& dy, bool need_input_grad) {
  STRATA_CHECK(output_.defined(), StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, dy.shape());
  backend().activation_backward(function_, input_, output_, dy, dx);
  return dx;
}

nlohmann::json LeakyReLU::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["negative_slope"] = negative_slope_;
  return config;
}

std::shared_ptr<Layer> LeakyReLU::from_config(const nlohmann::json& config) {
  // Keras 2 configs call the slope "alpha".
  const double slope =
      config.contains("negative_slope") ? config["negative_slope"].get<double>() : config.value("alpha", 0.3);
  auto layer = std::make_shared<LeakyReLU>(slope, config.value("name", ""));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
