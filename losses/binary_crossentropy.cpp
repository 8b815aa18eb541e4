#include "strata/losses/binary_crossentropy.hpp"

#include <nlohmann/json.hpp>

#include "losses/loss_config.hpp"

namespace strata::losses {

BinaryCrossentropy::BinaryCrossentropy(Options options)
    : Loss(std::move(options.name), options.reduction),
      from_logits_(options.from_logits),
      label_smoothing_(options.label_smoothing) {
  detail::check_name(name());
  detail::check_label_smoothing(label_smoothing_);
}

nlohmann::json BinaryCrossentropy::get_config() const {
  nlohmann::json config = Loss::get_config();
  config["from_logits"] = from_logits_;
  config["label_smoothing"] = label_smoothing_;
  config["axis"] = -1;
  return config;
}

LossParams BinaryCrossentropy::params() const {
  LossParams p;
  p.kind = LossKind::BinaryCrossentropy;
  p.from_logits = from_logits_;
  p.label_smoothing = static_cast<float>(label_smoothing_);
  return p;
}

std::shared_ptr<BinaryCrossentropy> BinaryCrossentropy::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "loss", "BinaryCrossentropy");
  Options options;
  options.name = reader.string("name", options.name);
  options.reduction = detail::read_reduction(reader);
  options.from_logits = reader.boolean("from_logits", options.from_logits);
  options.label_smoothing = reader.number("label_smoothing", options.label_smoothing);
  reader.axis();
  reader.dtype();
  reader.finish();
  return std::make_shared<BinaryCrossentropy>(std::move(options));
}

}  // namespace strata::losses
