#include "strata/layers/spatial_dropout2d.hpp"

#include <nlohmann/json.hpp>

#include "api/distributed/rank_context.hpp"
#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"

namespace strata {
inline namespace layers {

SpatialDropout2D::SpatialDropout2D(double rate, DropoutOptions options)
    : LayerOf<SpatialDropout2D>("spatial_dropout2d", LayerOptions{options.name, options.input_shape, options.dtype}),
      rate_(rate),
      options_(std::move(options)) {
  STRATA_CHECK(
      rate >= 0 && rate <= 1, ValueError,
      "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=", rate);
  if (options_.seed) own_rng_.emplace(static_cast<std::uint64_t>(*options_.seed));
  input_spec_.ndim = 4;
}

std::uint64_t SpatialDropout2D::next_seed() {
  return detail::rank_seed(own_rng_ ? (*own_rng_)() : detail::global_rng()());
}

Tensor SpatialDropout2D::forward(const Tensor& x, bool training) {
  if (!training) return x;
  // The flag: whether this call applied a mask (saved as tensor 0, (n, c)).
  saved_flag() = rate_ > 0;
  if (rate_ == 0) return x;
  const Shape& s = x.shape();
  const Shape flat{s[0], s[1] * s[2], s[3]};
  Tensor& y = buffer(0, flat);
  Tensor& mask = buffer(1, {s[0], s[3]});
  if (rate_ >= 1) {  // every channel dropped; 1 / (1 - rate) would be infinite
    backend().fill(mask, 0.f);
    backend().fill(y, 0.f);
  } else {
    backend().spatial_dropout_forward(x.reshaped(flat), static_cast<float>(rate_), next_seed(), mask, y);
  }
  save(0, mask);
  return y.reshaped(s);
}

Tensor SpatialDropout2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  if (!saved_flag()) return dy;
  const Shape& s = dy.shape();
  const Shape flat{s[0], s[1] * s[2], s[3]};
  Tensor& dx = buffer(2, flat);
  backend().channel_scale(dy.reshaped(flat), saved(0), dx);
  return dx.reshaped(s);
}

nlohmann::json SpatialDropout2D::get_config() const {
  // Keras's BaseSpatialDropout writes only these keys, with dtype as a plain string.
  return {{"rate", rate_},
          {"seed", options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr)},
          {"name", name()},
          {"dtype", dtype_policy().name()},
          {"data_format", "channels_last"}};
}

std::shared_ptr<Layer> SpatialDropout2D::from_config(const nlohmann::json& config) {
  detail::check_channels_last(config, "SpatialDropout2D");
  DropoutOptions options;
  options.name = config.value("name", "");
  if (config.contains("seed") && config["seed"].is_number_integer()) options.seed = config["seed"].get<std::int64_t>();
  auto layer = std::make_shared<SpatialDropout2D>(config.at("rate").get<double>(), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
