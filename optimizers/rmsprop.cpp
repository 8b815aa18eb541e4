#include "strata/optimizers/rmsprop.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

RMSprop::RMSprop(LearningRate learning_rate, const RMSpropOptions& options)
    : Optimizer(options.name.empty() ? "rm_sprop" : options.name, learning_rate, options.common()),
      rho_(options.rho),
      momentum_(options.momentum),
      epsilon_(options.epsilon),
      centered_(options.centered) {
  detail::check_argument(rho_ >= 0 && rho_ <= 1, "rho", "in [0, 1]", rho_);
  detail::check_argument(momentum_ >= 0 && momentum_ <= 1, "momentum", "in [0, 1]", momentum_);
  detail::check_argument(std::isfinite(epsilon_) && epsilon_ >= 0, "epsilon", "a non-negative number", epsilon_);
}

void RMSprop::build_slots(const Variable& variable) {
  add_slot(variable, "velocity", 0.f, /*group=*/0);
  if (momentum_ > 0) add_slot(variable, "momentum", 0.f, /*group=*/1);
  if (centered_) add_slot(variable, "average_gradient", 0.f, /*group=*/2);
}

void RMSprop::update_step(std::size_t index, Variable& variable, float learning_rate) {
  RMSpropParams p;
  p.learning_rate = learning_rate;
  p.rho = rho_;
  p.momentum = static_cast<float>(momentum_);
  p.epsilon = static_cast<float>(epsilon_);
  p.centered = centered_;
  std::size_t k = 1;
  Tensor* momentum = momentum_ > 0 ? &slot(index, k++).value : nullptr;
  Tensor* average_grad = centered_ ? &slot(index, k).value : nullptr;
  variable.value.backend().rmsprop_update(variable.value, variable.grad, slot(index, 0).value, momentum, average_grad,
                                          p);
}

nlohmann::json RMSprop::get_config() const {
  auto config = Optimizer::get_config();
  config["rho"] = rho_;
  config["momentum"] = momentum_;
  config["epsilon"] = epsilon_;
  config["centered"] = centered_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_rmsprop(ConfigReader& config) {
  RMSpropOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.rho = config.number("rho", o.rho);
  o.momentum = config.number("momentum", o.momentum);
  o.epsilon = config.number("epsilon", o.epsilon);
  o.centered = config.boolean("centered", o.centered);
  return std::make_shared<RMSprop>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
