#include "strata/layers/re_lu.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation_pass.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

ReLU::ReLU(std::optional<double> max_value, double negative_slope, double threshold, LayerOptions options)
    : LayerOf<ReLU>("re_lu", options), max_value_(max_value), negative_slope_(negative_slope), threshold_(threshold) {
  STRATA_CHECK(!max_value || *max_value >= 0, ValueError,
               "max_value of a ReLU layer cannot be a negative value. Received: max_value=", max_value.value_or(0));
  STRATA_CHECK(
      negative_slope >= 0, ValueError,
      "negative_slope of a ReLU layer cannot be None or a negative value. Received: negative_slope=", negative_slope);
  STRATA_CHECK(threshold >= 0, ValueError,
               "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=", threshold);
  function_.kind = ActivationKind::Relu;
  function_.alpha = static_cast<float>(negative_slope);
  if (max_value) function_.max_value = static_cast<float>(*max_value);
  function_.threshold = static_cast<float>(threshold);
}

Tensor ReLU::forward(const Tensor& x, bool training) {
  return detail::activation_layer_forward(function_, x, buffer(0, x.shape(), x.dtype()), training,
                                          [this](std::size_t slot, const Tensor& t) { save(slot, t); });
}

Tensor ReLU::backward_impl(const Tensor& dy, bool need_input_grad) {
  return detail::activation_layer_backward(
      function_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy, need_input_grad,
      [this, &dy](const Shape& shape) -> Tensor& { return buffer(1, shape, dy.dtype()); });
}

bool ReLU::computes_in(DType dtype) const { return detail::activation_computes_in(backend(), dtype); }

nlohmann::json ReLU::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["max_value"] = max_value_ ? nlohmann::json(*max_value_) : nlohmann::json(nullptr);
  config["negative_slope"] = negative_slope_;
  config["threshold"] = threshold_;
  return config;
}

std::shared_ptr<Layer> ReLU::from_config(const nlohmann::json& config) {
  std::optional<double> max_value;
  if (config.contains("max_value") && !config["max_value"].is_null()) max_value = config["max_value"].get<double>();
  auto layer = std::make_shared<ReLU>(max_value, config.value("negative_slope", 0.0), config.value("threshold", 0.0),
                                      LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
