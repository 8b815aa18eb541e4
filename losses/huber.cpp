#include "strata/losses/huber.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "losses/loss_config.hpp"

namespace strata::losses {

Huber::Huber(Options options) : Loss(std::move(options.name), options.reduction), delta_(options.delta) {
  detail::check_name(name());
  STRATA_CHECK(std::isfinite(delta_) && delta_ > 0.0, ValueError,
               "Argument `delta` must be a positive number. Received: delta=", strata::detail::py_float(delta_));
}

nlohmann::json Huber::get_config() const {
  nlohmann::json config = Loss::get_config();
  config["delta"] = delta_;
  return config;
}

LossParams Huber::params() const {
  LossParams p;
  p.kind = LossKind::Huber;
  p.delta = static_cast<float>(delta_);
  return p;
}

std::shared_ptr<Huber> Huber::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "loss", "Huber");
  Options options;
  options.name = reader.string("name", options.name);
  options.reduction = detail::read_reduction(reader);
  options.delta = reader.number("delta", options.delta);
  reader.dtype();
  reader.finish();
  return std::make_shared<Huber>(std::move(options));
}

}  // namespace strata::losses
