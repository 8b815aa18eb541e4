#include "strata/optimizers/adamw.hpp"

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

namespace {
const AdamOptions& checked(const AdamOptions& options) {
  // Keras's own words (adamw.py).
  STRATA_CHECK(options.weight_decay.has_value(), ValueError,
               "Argument `weight_decay` must be a float. Received: weight_decay=None");
  return options;
}
}  // namespace

AdamW::AdamW(LearningRate learning_rate, const AdamWOptions& options)
    : Adam(learning_rate, checked(options.adam()), "adam_w") {}

namespace detail {
std::shared_ptr<Optimizer> make_adamw(ConfigReader& config) {
  AdamWOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001, o.weight_decay);
  read_adam_keys(config, o);
  return std::make_shared<AdamW>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
