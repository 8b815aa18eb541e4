#include "strata/losses/categorical_crossentropy.hpp"

#include <nlohmann/json.hpp>

#include "losses/loss_config.hpp"

namespace strata::losses {

CategoricalCrossentropy::CategoricalCrossentropy(Options options)
    : Loss(std::move(options.name), options.reduction),
      from_logits_(options.from_logits),
      label_smoothing_(options.label_smoothing) {
  detail::check_name(name());
  detail::check_label_smoothing(label_smoothing_);
}

nlohmann::json CategoricalCrossentropy::get_config() const {
  return detail::crossentropy_config(Loss::get_config(), from_logits_, label_smoothing_);
}

LossParams CategoricalCrossentropy::params() const {
  return detail::crossentropy_params(LossKind::CategoricalCrossentropy, from_logits_, label_smoothing_);
}

std::shared_ptr<CategoricalCrossentropy> CategoricalCrossentropy::from_config(const nlohmann::json& config) {
  return std::make_shared<CategoricalCrossentropy>(
      detail::read_crossentropy_options<Options>(config, "CategoricalCrossentropy"));
}

}  // namespace strata::losses
