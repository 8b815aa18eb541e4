#include "strata/losses/mean_absolute_error.hpp"

#include <nlohmann/json.hpp>

#include "losses/loss_config.hpp"

namespace strata::losses {

MeanAbsoluteError::MeanAbsoluteError(Options options) : Loss(std::move(options.name), options.reduction) {
  detail::check_name(name());
}

LossParams MeanAbsoluteError::params() const {
  LossParams p;
  p.kind = LossKind::MeanAbsoluteError;
  return p;
}

std::shared_ptr<MeanAbsoluteError> MeanAbsoluteError::from_config(const nlohmann::json& config) {
  return std::make_shared<MeanAbsoluteError>(detail::read_plain_options<Options>(config, "MeanAbsoluteError"));
}

}  // namespace strata::losses
