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

AdamW::AdamW(double learning_rate, const AdamWOptions& options)
    : Adam(learning_rate, checked(options.adam()), "adam_w") {}

namespace detail {
std::shared_ptr<Optimizer> make_adamw(ConfigReader& config) {
  AdamWOptions o;
  double learning_rate = 0;
  const OptimizerOptions common = config.common(learning_rate, 0.001, o.weight_decay);
  o.weight_decay = common.weight_decay;
  o.clipnorm = common.clipnorm;
  o.clipvalue = common.clipvalue;
  o.global_clipnorm = common.global_clipnorm;
  o.name = config.name();
  o.beta_1 = config.number("beta_1", o.beta_1);
  o.beta_2 = config.number("beta_2", o.beta_2);
  o.epsilon = config.number("epsilon", o.epsilon);
  o.amsgrad = config.boolean("amsgrad", o.amsgrad);
  return std::make_shared<AdamW>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
