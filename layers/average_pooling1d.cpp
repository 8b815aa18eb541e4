#include "strata/layers/average_pooling1d.hpp"

#include <nlohmann/json.hpp>

#include "layers/pooling.hpp"

namespace strata {
inline namespace layers {

namespace {
constexpr bool kOneD = true;
}

AveragePooling1D::AveragePooling1D(std::int64_t pool_size, Pooling1DOptions options)
    : LayerOf<AveragePooling1D>(
          "average_pooling1d",
          LayerOptions{std::move(options.name), std::move(options.input_shape), std::move(options.dtype)}),
      pool_size_(1, pool_size),
      strides_(1, options.strides.value_or(pool_size)),
      padding_(detail::check_pooling_args(pool_size_, strides_, options.padding, kOneD)) {
  input_spec_.ndim = 3;
}

Shape AveragePooling1D::compute_output_shape(const Shape& input_shape) const {
  return detail::pooled_shape(input_shape, pool_size_, strides_, padding_ == "same", kOneD);
}

void AveragePooling1D::build_weights(const Shape& input_shape) { compute_output_shape(input_shape); }

Tensor AveragePooling1D::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, compute_output_shape(x.shape()));
  detail::pool_forward(backend(), PoolKind::Average, x, pool_size_, strides_, padding_ == "same", kOneD, y,
                       training ? &call_state<detail::PoolingState>() : nullptr);
  return y;
}

Tensor AveragePooling1D::backward_impl(const Tensor& dy, bool need_input_grad) {
  detail::PoolingState& state = call_state<detail::PoolingState>();
  const Shape& input_shape = detail::pooling_input_shape(state, name());
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, input_shape);
  detail::pool_backward(backend(), state, dy, dx);
  return dx;
}

nlohmann::json AveragePooling1D::get_config() const {
  nlohmann::json config = Layer::get_config();
  detail::write_pooling_config(config, pool_size_, strides_, padding_, kOneD);
  return config;
}

std::shared_ptr<Layer> AveragePooling1D::from_config(const nlohmann::json& config) {
  const detail::PoolingConfig c = detail::read_pooling_config(config, "AveragePooling1D", kOneD, std::nullopt);
  Pooling1DOptions options{.padding = c.padding, .name = config.value("name", "")};
  if (c.strides) options.strides = c.strides->w;
  auto layer = std::make_shared<AveragePooling1D>(c.pool_size.w, options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
