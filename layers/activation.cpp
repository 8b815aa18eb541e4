#include "strata/layers/activation.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation_pass.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Activation::Activation(const std::string& activation, LayerOptions options)
    : LayerOf<Activation>("activation", options), function_(ActivationFunction::from_name(activation)) {}

Tensor Activation::forward(const Tensor& x, bool training) {
  return detail::activation_layer_forward(function_, x, buffer(0, x.shape(), x.dtype()), training,
                                          [this](std::size_t slot, const Tensor& t) { save(slot, t); });
}

Tensor Activation::backward_impl(const Tensor& dy, bool need_input_grad) {
  return detail::activation_layer_backward(
      function_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy, need_input_grad,
      [this, &dy](const Shape& shape) -> Tensor& { return buffer(1, shape, dy.dtype()); });
}

bool Activation::computes_in(DType dtype) const { return detail::activation_computes_in(backend(), dtype); }

nlohmann::json Activation::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["activation"] = function_.name();
  return config;
}

std::shared_ptr<Layer> Activation::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Activation>(config.value("activation", "linear"),
                                            LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
