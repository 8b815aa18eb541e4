#include "strata/layers/up_sampling2d.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string_view>

#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

// Keras's interpolation names; all but "nearest" are still to come here.
constexpr std::array<std::string_view, 6> kInterpolations = {"area",     "bicubic",  "bilinear",
                                                             "lanczos3", "lanczos5", "nearest"};

void check_interpolation(std::string interpolation) {
  std::transform(interpolation.begin(), interpolation.end(), interpolation.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (interpolation == "nearest") return;
  if (std::find(kInterpolations.begin(), kInterpolations.end(), interpolation) != kInterpolations.end())
    throw ValueError(detail::concat("UpSampling2D with interpolation=\"", interpolation,
                                    "\" is not supported yet; only \"nearest\" is"));
  std::string valid;
  for (auto name : kInterpolations) valid += (valid.empty() ? "" : ", ") + std::string(name);
  throw ValueError(
      detail::concat("Invalid value for argument `interpolation`: \"", interpolation, "\". Expected one of: ", valid));
}

}  // namespace

UpSampling2D::UpSampling2D(Size2 size, UpSampling2DOptions options)
    : LayerOf<UpSampling2D>("up_sampling2d", LayerOptions{std::move(options.name), std::move(options.input_shape),
                                                          std::move(options.dtype)}),
      size_(size) {
  detail::check_size(size_, "size", false);
  check_interpolation(options.interpolation);
  input_spec_.ndim = 4;
}

Shape UpSampling2D::compute_output_shape(const Shape& input_shape) const {
  Shape out = input_shape;
  if (out[1] >= 0) out[1] = checked_multiply(out[1], size_.h, "UpSampling2D's output height");
  if (out[2] >= 0) out[2] = checked_multiply(out[2], size_.w, "UpSampling2D's output width");
  return out;
}

Tensor UpSampling2D::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, compute_output_shape(x.shape()));
  backend().upsample2d_forward(x, size_.h, size_.w, y);
  if (training) saved_shape(0) = x.shape();
  return y;
}

Tensor UpSampling2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Shape& input_shape = saved_shape(0);
  STRATA_CHECK(input_shape.rank() == 4, StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, input_shape);
  backend().upsample2d_backward(dy, size_.h, size_.w, dx);
  return dx;
}

nlohmann::json UpSampling2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["size"] = detail::size_to_json(size_);
  config["data_format"] = "channels_last";
  config["interpolation"] = "nearest";
  return config;
}

std::shared_ptr<Layer> UpSampling2D::from_config(const nlohmann::json& config) {
  detail::check_channels_last(config, "UpSampling2D");
  const Size2 size = config.contains("size") ? detail::size_from_json(config["size"], "size") : Size2(2);
  auto layer = std::make_shared<UpSampling2D>(
      size,
      UpSampling2DOptions{.interpolation = config.value("interpolation", "nearest"), .name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
