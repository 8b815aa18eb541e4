#include "strata/metrics/f1_score.hpp"

#include <nlohmann/json.hpp>

namespace strata::metrics {

F1Score::F1Score(Options options)
    : FBetaScore(FBetaScore::Options{.average = std::move(options.average),
                                     .beta = 1.0,
                                     .threshold = options.threshold,
                                     .name = std::move(options.name)}) {}

nlohmann::json F1Score::get_config() const {
  nlohmann::json config = FBetaScore::get_config();
  config.erase("beta");
  return config;
}

std::shared_ptr<F1Score> F1Score::from_config(const nlohmann::json& config) {
  FBetaScore::Options read = read_options(config, "F1Score", "f1_score", false);
  return std::make_shared<F1Score>(
      F1Score::Options{.average = std::move(read.average), .threshold = read.threshold, .name = std::move(read.name)});
}

}  // namespace strata::metrics
