#include "strata/optimizers/adadelta.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

Adadelta::Adadelta(LearningRate learning_rate, const AdadeltaOptions& options)
    : Optimizer(options.name.empty() ? "adadelta" : options.name, std::move(learning_rate), options.common()),
      rho_(options.rho),
      epsilon_(options.epsilon) {
  detail::check_argument(rho_ >= 0 && rho_ <= 1, "rho", "in [0, 1]", rho_);
  detail::check_argument(std::isfinite(epsilon_) && epsilon_ >= 0, "epsilon", "a non-negative number", epsilon_);
}

void Adadelta::build_slots(const Variable& variable) {
  add_slot(variable, "accumulated_grad");
  add_slot(variable, "accumulated_delta_var");
}

void Adadelta::update_step(std::size_t index, Variable& variable, float learning_rate) {
  AdadeltaParams p;
  p.learning_rate = learning_rate;
  p.rho = rho_;
  p.epsilon = static_cast<float>(epsilon_);
  variable.value.backend().adadelta_update(variable.value, variable.grad, slot(index, 0).value, slot(index, 1).value,
                                           p);
}

nlohmann::json Adadelta::get_config() const {
  auto config = Optimizer::get_config();
  config["rho"] = rho_;
  config["epsilon"] = epsilon_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_adadelta(ConfigReader& config) {
  AdadeltaOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.rho = config.number("rho", o.rho);
  o.epsilon = config.number("epsilon", o.epsilon);
  return std::make_shared<Adadelta>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
