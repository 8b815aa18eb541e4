#include "strata/layers/global_max_pooling1d.hpp"

#include <nlohmann/json.hpp>

#include "layers/pooling.hpp"

namespace strata {
inline namespace layers {

namespace {
constexpr bool kOneD = true;
}

GlobalMaxPooling1D::GlobalMaxPooling1D(bool keepdims, LayerOptions options)
    : LayerOf<GlobalMaxPooling1D>("global_max_pooling1d", options), keepdims_(keepdims) {
  input_spec_.ndim = 3;
}

Shape GlobalMaxPooling1D::compute_output_shape(const Shape& input_shape) const {
  return detail::global_pooled_shape(input_shape, keepdims_, kOneD);
}

Tensor GlobalMaxPooling1D::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, compute_output_shape(x.shape()));
  detail::global_pool_forward(backend(), PoolKind::Max, x, kOneD, y,
                              training ? &call_state<detail::PoolingState>() : nullptr);
  return y;
}

Tensor GlobalMaxPooling1D::backward_impl(const Tensor& dy, bool need_input_grad) {
  detail::PoolingState& state = call_state<detail::PoolingState>();
  const Shape& input_shape = detail::pooling_input_shape(state, name());
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, input_shape);
  detail::pool_backward(backend(), state, dy, dx);
  return dx;
}

nlohmann::json GlobalMaxPooling1D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["data_format"] = "channels_last";
  config["keepdims"] = keepdims_;
  return config;
}

std::shared_ptr<Layer> GlobalMaxPooling1D::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<GlobalMaxPooling1D>(detail::read_keepdims(config, "GlobalMaxPooling1D"),
                                                    LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
