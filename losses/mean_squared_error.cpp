#include "strata/losses/mean_squared_error.hpp"

#include <nlohmann/json.hpp>

#include "losses/loss_config.hpp"

namespace strata::losses {

MeanSquaredError::MeanSquaredError(Options options) : Loss(std::move(options.name), options.reduction) {
  detail::check_name(name());
}

LossParams MeanSquaredError::params() const {
  LossParams p;
  p.kind = LossKind::MeanSquaredError;
  return p;
}

std::shared_ptr<MeanSquaredError> MeanSquaredError::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "loss", "MeanSquaredError");
  Options options;
  options.name = reader.string("name", options.name);
  options.reduction = detail::read_reduction(reader);
  reader.dtype();
  reader.finish();
  return std::make_shared<MeanSquaredError>(std::move(options));
}

}  // namespace strata::losses
