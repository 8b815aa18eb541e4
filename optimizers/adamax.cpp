#include "strata/optimizers/adamax.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

Adamax::Adamax(LearningRate learning_rate, const AdamaxOptions& options)
    : Optimizer(options.name.empty() ? "adamax" : options.name, std::move(learning_rate), options.common()),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon) {
  detail::check_argument(beta_1_ >= 0 && beta_1_ < 1, "beta_1", "in [0, 1)", beta_1_);
  detail::check_argument(beta_2_ >= 0 && beta_2_ < 1, "beta_2", "in [0, 1)", beta_2_);
  detail::check_argument(std::isfinite(epsilon_) && epsilon_ >= 0, "epsilon", "a non-negative number", epsilon_);
}

void Adamax::build_slots(const Variable& variable) {
  add_slot(variable, "momentum");
  add_slot(variable, "norm");
}

void Adamax::update_step(std::size_t index, Variable& variable, float learning_rate) {
  AdamaxParams p;
  p.learning_rate = learning_rate;
  p.beta_1 = beta_1_;
  p.beta_2 = beta_2_;
  p.epsilon = static_cast<float>(epsilon_);
  p.beta_1_power = std::pow(static_cast<float>(beta_1_), static_cast<float>(iterations() + 1));
  variable.value.backend().adamax_update(variable.value, variable.grad, slot(index, 0).value, slot(index, 1).value, p);
}

nlohmann::json Adamax::get_config() const {
  auto config = Optimizer::get_config();
  config["beta_1"] = beta_1_;
  config["beta_2"] = beta_2_;
  config["epsilon"] = epsilon_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_adamax(ConfigReader& config) {
  AdamaxOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.beta_1 = config.number("beta_1", o.beta_1);
  o.beta_2 = config.number("beta_2", o.beta_2);
  o.epsilon = config.number("epsilon", o.epsilon);
  return std::make_shared<Adamax>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
