#include "strata/layers/leaky_re_lu.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation_pass.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

LeakyReLU::LeakyReLU(double negative_slope, LayerOptions options)
    : LayerOf<LeakyReLU>("leaky_re_lu", options), negative_slope_(negative_slope) {
  STRATA_CHECK(negative_slope >= 0, ValueError,
               "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. "
               "Received: negative_slope=",
               negative_slope);
  function_.kind = ActivationKind::LeakyRelu;
  function_.alpha = static_cast<float>(negative_slope);
}

Tensor LeakyReLU::forward(const Tensor& x, bool training) {
  return detail::activation_layer_forward(function_, x, buffer(0, x.shape(), x.dtype()), training,
                                          [this](std::size_t slot, const Tensor& t) { save(slot, t); });
}

Tensor LeakyReLU::backward_impl(const Tensor& dy, bool need_input_grad) {
  return detail::activation_layer_backward(
      function_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy, need_input_grad,
      [this, &dy](const Shape& shape) -> Tensor& { return buffer(1, shape, dy.dtype()); });
}

bool LeakyReLU::computes_in(DType dtype) const { return detail::activation_computes_in(backend(), dtype); }

nlohmann::json LeakyReLU::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["negative_slope"] = negative_slope_;
  return config;
}

std::shared_ptr<Layer> LeakyReLU::from_config(const nlohmann::json& config) {
  // Keras 2 configs call the slope "alpha".
  const double slope =
      config.contains("negative_slope") ? config["negative_slope"].get<double>() : config.value("alpha", 0.3);
  auto layer = std::make_shared<LeakyReLU>(slope, LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
