#include "strata/optimizers/adagrad.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

Adagrad::Adagrad(LearningRate learning_rate, const AdagradOptions& options)
    : Optimizer(options.name.empty() ? "adagrad" : options.name, learning_rate, options.common()),
      initial_accumulator_value_(options.initial_accumulator_value),
      epsilon_(options.epsilon) {
  detail::check_argument(std::isfinite(initial_accumulator_value_) && initial_accumulator_value_ >= 0,
                         "initial_accumulator_value", "a non-negative number", initial_accumulator_value_);
  detail::check_argument(std::isfinite(epsilon_) && epsilon_ >= 0, "epsilon", "a non-negative number", epsilon_);
}

void Adagrad::build_slots(const Variable& variable) {
  add_slot(variable, "accumulator", static_cast<float>(initial_accumulator_value_));
}

void Adagrad::update_step(std::size_t index, Variable& variable, float learning_rate) {
  AdagradParams p;
  p.learning_rate = learning_rate;
  p.epsilon = static_cast<float>(epsilon_);
  variable.value.backend().adagrad_update(variable.value, variable.grad, slot(index, 0).value, p);
}

nlohmann::json Adagrad::get_config() const {
  auto config = Optimizer::get_config();
  config["initial_accumulator_value"] = initial_accumulator_value_;
  config["epsilon"] = epsilon_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_adagrad(ConfigReader& config) {
  AdagradOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.initial_accumulator_value = config.number("initial_accumulator_value", o.initial_accumulator_value);
  o.epsilon = config.number("epsilon", o.epsilon);
  return std::make_shared<Adagrad>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
