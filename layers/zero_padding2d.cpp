#include "strata/layers/zero_padding2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

ZeroPadding2D::ZeroPadding2D(Sides2 padding, ZeroPadding2DOptions options)
    : LayerOf<ZeroPadding2D>("zero_padding2d", LayerOptions{std::move(options.name), std::move(options.input_shape),
                                                            std::move(options.dtype)}),
      padding_(padding) {
  detail::check_sides(padding_, "padding");
  input_spec_.ndim = 4;
}

Shape ZeroPadding2D::compute_output_shape(const Shape& input_shape) const {
  Shape out = input_shape;
  constexpr std::string_view kHeight = "ZeroPadding2D's output height", kWidth = "ZeroPadding2D's output width";
  if (out[1] >= 0) out[1] = checked_add(out[1], checked_add(padding_.top, padding_.bottom, kHeight), kHeight);
  if (out[2] >= 0) out[2] = checked_add(out[2], checked_add(padding_.left, padding_.right, kWidth), kWidth);
  return out;
}

Tensor ZeroPadding2D::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, compute_output_shape(x.shape()));
  backend().pad2d(x, padding_.top, padding_.left, y);
  if (training) saved_shape(0) = x.shape();
  return y;
}

Tensor ZeroPadding2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Shape& input_shape = saved_shape(0);
  STRATA_CHECK(input_shape.rank() == 4, StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, input_shape);
  backend().crop2d(dy, padding_.top, padding_.left, dx);
  return dx;
}

nlohmann::json ZeroPadding2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["padding"] = detail::sides_to_json(padding_);
  config["data_format"] = "channels_last";
  return config;
}

std::shared_ptr<Layer> ZeroPadding2D::from_config(const nlohmann::json& config) {
  detail::check_channels_last(config, "ZeroPadding2D");
  const Sides2 padding = config.contains("padding") ? detail::sides_from_json(config["padding"], "padding") : Sides2(1);
  auto layer = std::make_shared<ZeroPadding2D>(padding, ZeroPadding2DOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
