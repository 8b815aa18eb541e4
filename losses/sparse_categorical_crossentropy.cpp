#include "strata/losses/sparse_categorical_crossentropy.hpp"

#include <nlohmann/json.hpp>

#include "losses/loss_config.hpp"

namespace strata::losses {

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(Options options)
    : Loss(std::move(options.name), options.reduction), from_logits_(options.from_logits) {
  detail::check_name(name());
}

nlohmann::json SparseCategoricalCrossentropy::get_config() const {
  nlohmann::json config = Loss::get_config();
  config["from_logits"] = from_logits_;
  config["ignore_class"] = nullptr;
  return config;
}

LossParams SparseCategoricalCrossentropy::params() const {
  LossParams p;
  p.kind = LossKind::SparseCategoricalCrossentropy;
  p.from_logits = from_logits_;
  return p;
}

std::shared_ptr<SparseCategoricalCrossentropy> SparseCategoricalCrossentropy::from_config(
    const nlohmann::json& config) {
  detail::ConfigReader reader(config, "loss", "SparseCategoricalCrossentropy");
  Options options;
  options.name = reader.string("name", options.name);
  options.reduction = detail::read_reduction(reader);
  options.from_logits = reader.boolean("from_logits", options.from_logits);
  const auto& ignore_class = reader.at("ignore_class");
  STRATA_CHECK(ignore_class.is_null(), ValueError,
               "Loss SparseCategoricalCrossentropy: ignore_class is not supported yet, received "
               "ignore_class=",
               ignore_class.dump());
  reader.axis();  // older Keras configs may carry it
  reader.dtype();
  reader.finish();
  return std::make_shared<SparseCategoricalCrossentropy>(std::move(options));
}

}  // namespace strata::losses
