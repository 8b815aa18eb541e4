#include "strata/optimizers/ftrl.hpp"

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

namespace {
// Keras's own words (ftrl.py).
void check_non_negative(const char* name, double value) {
  STRATA_CHECK(value >= 0, ValueError, "`", name, "` needs to be positive or zero. Received: ", name, "=",
               detail::py_repr(value), ".");
}
}  // namespace

Ftrl::Ftrl(LearningRate learning_rate, const FtrlOptions& options)
    : Optimizer(options.name.empty() ? "ftrl" : options.name, std::move(learning_rate), options.common()), o_(options) {
  check_non_negative("initial_accumulator_value", o_.initial_accumulator_value);
  STRATA_CHECK(o_.learning_rate_power <= 0, ValueError,
               "`learning_rate_power` needs to be negative or zero. Received: learning_rate_power=",
               detail::py_repr(o_.learning_rate_power), ".");
  check_non_negative("l1_regularization_strength", o_.l1_regularization_strength);
  check_non_negative("l2_regularization_strength", o_.l2_regularization_strength);
  check_non_negative("l2_shrinkage_regularization_strength", o_.l2_shrinkage_regularization_strength);
}

void Ftrl::build_slots(const Variable& variable) {
  add_slot(variable, "accumulator", static_cast<float>(o_.initial_accumulator_value));
  add_slot(variable, "linear");
}

void Ftrl::update_step(std::size_t index, Variable& variable, float learning_rate) {
  FtrlParams p;
  p.learning_rate = learning_rate;
  p.learning_rate_power = static_cast<float>(o_.learning_rate_power);
  p.l1 = static_cast<float>(o_.l1_regularization_strength);
  // Keras folds beta into L2: l2 + beta / (2 lr), in float32.
  p.l2 = static_cast<float>(o_.l2_regularization_strength) + static_cast<float>(o_.beta) / (2.f * learning_rate);
  p.l2_shrinkage = static_cast<float>(o_.l2_shrinkage_regularization_strength);
  variable.value.backend().ftrl_update(variable.value, variable.grad, slot(index, 0).value, slot(index, 1).value, p);
}

nlohmann::json Ftrl::get_config() const {
  auto config = Optimizer::get_config();
  config["learning_rate_power"] = o_.learning_rate_power;
  config["initial_accumulator_value"] = o_.initial_accumulator_value;
  config["l1_regularization_strength"] = o_.l1_regularization_strength;
  config["l2_regularization_strength"] = o_.l2_regularization_strength;
  config["l2_shrinkage_regularization_strength"] = o_.l2_shrinkage_regularization_strength;
  config["beta"] = o_.beta;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_ftrl(ConfigReader& config) {
  FtrlOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.learning_rate_power = config.number("learning_rate_power", o.learning_rate_power);
  o.initial_accumulator_value = config.number("initial_accumulator_value", o.initial_accumulator_value);
  o.l1_regularization_strength = config.number("l1_regularization_strength", o.l1_regularization_strength);
  o.l2_regularization_strength = config.number("l2_regularization_strength", o.l2_regularization_strength);
  o.l2_shrinkage_regularization_strength =
      config.number("l2_shrinkage_regularization_strength", o.l2_shrinkage_regularization_strength);
  o.beta = config.number("beta", o.beta);
  return std::make_shared<Ftrl>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
