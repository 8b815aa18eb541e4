#include "strata/layers/cropping2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Cropping2D::Cropping2D(Sides2 cropping, Cropping2DOptions options)
    : LayerOf<Cropping2D>("cropping2d", LayerOptions{std::move(options.name), std::move(options.input_shape),
                                                     std::move(options.dtype)}),
      cropping_(cropping) {
  detail::check_sides(cropping_, "cropping");
  input_spec_.ndim = 4;
}

Shape Cropping2D::compute_output_shape(const Shape& input_shape) const {
  const Sides2& c = cropping_;
  const std::int64_t rows = checked_add(c.top, c.bottom, "Cropping2D's cropped rows");
  const std::int64_t columns = checked_add(c.left, c.right, "Cropping2D's cropped columns");
  if ((input_shape[1] >= 0 && rows >= input_shape[1]) || (input_shape[2] >= 0 && columns >= input_shape[2]))
    throw ValueError(detail::concat(
        "Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input. "
        "Received: input_shape=",
        input_shape.to_string(), ", cropping=((", c.top, ", ", c.bottom, "), (", c.left, ", ", c.right, "))"));
  Shape out = input_shape;
  if (out[1] >= 0) out[1] -= rows;
  if (out[2] >= 0) out[2] -= columns;
  return out;
}

void Cropping2D::build_weights(const Shape& input_shape) { compute_output_shape(input_shape); }

Tensor Cropping2D::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, compute_output_shape(x.shape()));
  backend().crop2d(x, cropping_.top, cropping_.left, y);
  if (training) saved_shape(0) = x.shape();
  return y;
}

Tensor Cropping2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Shape& input_shape = saved_shape(0);
  STRATA_CHECK(input_shape.rank() == 4, StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, input_shape);
  backend().pad2d(dy, cropping_.top, cropping_.left, dx);
  return dx;
}

nlohmann::json Cropping2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["cropping"] = detail::sides_to_json(cropping_);
  config["data_format"] = "channels_last";
  return config;
}

std::shared_ptr<Layer> Cropping2D::from_config(const nlohmann::json& config) {
  detail::check_channels_last(config, "Cropping2D");
  const Sides2 cropping =
      config.contains("cropping") ? detail::sides_from_json(config["cropping"], "cropping") : Sides2(0);
  auto layer = std::make_shared<Cropping2D>(cropping, Cropping2DOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
