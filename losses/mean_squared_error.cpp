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
  return std::make_shared<MeanSquaredError>(detail::read_plain_options<Options>(config, "MeanSquaredError"));
}

}  // namespace strata::losses
