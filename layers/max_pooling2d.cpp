#include "strata/layers/max_pooling2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "layers/pooling.hpp"

namespace strata {
inline namespace layers {

namespace {
constexpr bool kOneD = false;
}

MaxPooling2D::MaxPooling2D(Size2 pool_size, Pooling2DOptions options)
    : LayerOf<MaxPooling2D>("max_pooling2d", LayerOptions{std::move(options.name), std::move(options.input_shape),
                                                          std::move(options.dtype)}),
      pool_size_(pool_size),
      strides_(options.strides.value_or(pool_size)),
      padding_(detail::check_pooling_args(pool_size_, strides_, options.padding, kOneD)) {
  input_spec_.ndim = 4;
}

Shape MaxPooling2D::compute_output_shape(const Shape& input_shape) const {
  return detail::pooled_shape(input_shape, pool_size_, strides_, padding_ == "same", kOneD);
}

void MaxPooling2D::build_weights(const Shape& input_shape) { compute_output_shape(input_shape); }

Tensor MaxPooling2D::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, compute_output_shape(x.shape()), x.dtype());
  detail::pool_forward(backend(), PoolKind::Max, x, pool_size_, strides_, padding_ == "same", kOneD, y,
                       training ? &call_state<detail::PoolingState>() : nullptr);
  return y;
}

Tensor MaxPooling2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  detail::PoolingState& state = call_state<detail::PoolingState>();
  const Shape& input_shape = detail::pooling_input_shape(state, name());
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, input_shape, dy.dtype());
  detail::pool_backward(backend(), state, dy, dx);
  return dx;
}

bool MaxPooling2D::computes_in(DType dtype) const {
  return detail::supports_all(backend(), dtype, {"pool2d_forward", "pool2d_backward"});
}

nlohmann::json MaxPooling2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  detail::write_pooling_config(config, pool_size_, strides_, padding_, kOneD);
  return config;
}

std::shared_ptr<Layer> MaxPooling2D::from_config(const nlohmann::json& config) {
  const detail::PoolingConfig c = detail::read_pooling_config(config, "MaxPooling2D", kOneD, Size2(2));
  auto layer = std::make_shared<MaxPooling2D>(
      c.pool_size, Pooling2DOptions{.strides = c.strides, .padding = c.padding, .name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
