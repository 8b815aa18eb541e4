#include "strata/layers/dropout.hpp"

#include <nlohmann/json.hpp>

#include "api/distributed/rank_context.hpp"
#include "layers/dropout_apply.hpp"
#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"

namespace strata {
inline namespace layers {

Dropout::Dropout(float rate, DropoutOptions options)
    : LayerOf<Dropout>("dropout", LayerOptions{options.name, options.input_shape, options.dtype}),
      rate_(rate),
      options_(std::move(options)) {
  STRATA_CHECK(
      rate >= 0.f && rate <= 1.f, ValueError,
      "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=", rate);
  if (options_.seed) own_rng_.emplace(static_cast<std::uint64_t>(*options_.seed));
}

std::uint64_t Dropout::next_seed() { return detail::rank_seed(own_rng_ ? (*own_rng_)() : detail::global_rng()()); }

Tensor Dropout::forward(const Tensor& x, bool training) {
  if (!training) return x;
  // The flag: whether this call applied a mask (saved as tensor 0).
  saved_flag() = rate_ > 0.f;
  if (rate_ == 0.f) return x;
  Tensor& y = buffer(0, x.shape(), x.dtype());
  Tensor& mask = buffer(1, x.shape(), x.dtype());
  detail::apply_dropout(backend(), x, rate_, next_seed(), mask, y);
  save(0, mask);
  return y;
}

Tensor Dropout::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  if (!saved_flag()) return dy;
  Tensor& dx = buffer(2, dy.shape(), dy.dtype());
  backend().multiply(dy, saved(0), dx);
  return dx;
}

bool Dropout::computes_in(DType dtype) const {
  return detail::supports_all(backend(), dtype, {"dropout_forward", "multiply", "fill"});
}

nlohmann::json Dropout::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["rate"] = rate_;
  config["seed"] = options_.seed ? nlohmann::json(*options_.seed) : nlohmann::json(nullptr);
  config["noise_shape"] = nullptr;
  return config;
}

std::shared_ptr<Layer> Dropout::from_config(const nlohmann::json& config) {
  STRATA_CHECK(!config.contains("noise_shape") || config["noise_shape"].is_null(), ValueError,
               "Dropout with a noise_shape is not supported yet (layer \"", config.value("name", ""), "\")");
  DropoutOptions options;
  options.name = config.value("name", "");
  if (config.contains("seed") && config["seed"].is_number_integer()) options.seed = config["seed"].get<std::int64_t>();
  auto layer = std::make_shared<Dropout>(config.at("rate").get<float>(), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
