#include "strata/layers/flatten.hpp"

#include <nlohmann/json.hpp>

namespace strata {
inline namespace layers {

Flatten::Flatten(std::string name) : Layer("flatten", std::move(name)) { input_spec_.min_ndim = 1; }

Shape Flatten::compute_output_shape(const Shape& input_shape) const {
  std::int64_t features = 1;
  for (std::size_t axis = 1; axis < input_shape.rank(); ++axis) {
    const std::int64_t d = input_shape.dims()[axis];
    if (d < 0) return {input_shape[0], kNone};
    features *= d;
  }
  return {input_shape[0], features};
}

Tensor Flatten::forward(const Tensor& x, bool training) {
  if (training) input_shape_ = x.shape();
  return x.reshaped(compute_output_shape(x.shape()));
}

Tensor Flatten::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  return dy.reshaped(input_shape_);
}

nlohmann::json Flatten::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["data_format"] = "channels_last";
  return config;
}

std::shared_ptr<Layer> Flatten::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Flatten>(config.value("name", ""));
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
