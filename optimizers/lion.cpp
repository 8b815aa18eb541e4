#include "strata/optimizers/lion.hpp"

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

Lion::Lion(LearningRate learning_rate, const LionOptions& options)
    : Optimizer(options.name.empty() ? "lion" : options.name, std::move(learning_rate), options.common()),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2) {
  // Keras's own words (lion.py).
  STRATA_CHECK(beta_1_ > 0 && beta_1_ <= 1, ValueError,
               "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. "
               "Received: beta_1=",
               detail::py_repr(beta_1_), ".");
}

void Lion::build_slots(const Variable& variable) { add_slot(variable, "momentum"); }

void Lion::update_step(std::size_t index, Variable& variable, float learning_rate) {
  LionParams p;
  p.learning_rate = learning_rate;
  p.beta_1 = static_cast<float>(beta_1_);
  p.beta_2 = static_cast<float>(beta_2_);
  variable.value.backend().lion_update(variable.value, variable.grad, slot(index, 0).value, p);
}

nlohmann::json Lion::get_config() const {
  auto config = Optimizer::get_config();
  config["beta_1"] = beta_1_;
  config["beta_2"] = beta_2_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_lion(ConfigReader& config) {
  LionOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.beta_1 = config.number("beta_1", o.beta_1);
  o.beta_2 = config.number("beta_2", o.beta_2);
  return std::make_shared<Lion>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
