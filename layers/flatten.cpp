#include "strata/layers/flatten.hpp"

#include <nlohmann/json.hpp>

#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Flatten::Flatten(LayerOptions options) : LayerOf<Flatten>("flatten", options) { input_spec_.min_ndim = 1; }

Shape Flatten::compute_output_shape(const Shape& input_shape) const {
  std::int64_t features = 1;
  for (std::size_t axis = 1; axis < input_shape.rank(); ++axis) {
    const std::int64_t d = input_shape.dims()[axis];
    if (d < 0) return {input_shape[0], kNone};
    features = checked_multiply(features, d, "Flatten's output size");
  }
  return {input_shape[0], features};
}

Tensor Flatten::forward(const Tensor& x, bool training) {
  if (training) saved_shape(0) = x.shape();
  return x.reshaped(compute_output_shape(x.shape()));
}

Tensor Flatten::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Shape& input_shape = saved_shape(0);
  STRATA_CHECK(input_shape.rank() > 0, StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  return dy.reshaped(input_shape);
}

nlohmann::json Flatten::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["data_format"] = "channels_last";
  return config;
}

std::shared_ptr<Layer> Flatten::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Flatten>(LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
