#include "strata/optimizers/adam.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

Adam::Adam(LearningRate learning_rate, const AdamOptions& options) : Adam(learning_rate, options, "adam") {}

Adam::Adam(LearningRate learning_rate, const AdamOptions& options, const char* default_name)
    : Optimizer(options.name.empty() ? default_name : options.name, learning_rate, options.common()),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon),
      amsgrad_(options.amsgrad) {
  detail::check_argument(beta_1_ >= 0 && beta_1_ < 1, "beta_1", "in [0, 1)", beta_1_);
  detail::check_argument(beta_2_ >= 0 && beta_2_ < 1, "beta_2", "in [0, 1)", beta_2_);
  detail::check_argument(std::isfinite(epsilon_) && epsilon_ >= 0, "epsilon", "a non-negative number", epsilon_);
}

void Adam::build_slots(const Variable& variable) {
  add_slot(variable, "momentum");
  add_slot(variable, "velocity");
  if (amsgrad_) add_slot(variable, "velocity_hat", 0.f, /*group=*/1);
}

void Adam::update_step(std::size_t index, Variable& variable, float learning_rate) {
  AdamParams p;
  p.learning_rate = learning_rate;
  p.beta_1 = beta_1_;
  p.beta_2 = beta_2_;
  p.epsilon = static_cast<float>(epsilon_);
  p.amsgrad = amsgrad_;
  p.step = iterations() + 1;
  Tensor* v_hat = amsgrad_ ? &slot(index, 2).value : nullptr;
  variable.value.backend().adam_update(variable.value, variable.grad, slot(index, 0).value, slot(index, 1).value, v_hat,
                                       p);
}

nlohmann::json Adam::get_config() const {
  auto config = Optimizer::get_config();
  config["beta_1"] = beta_1_;
  config["beta_2"] = beta_2_;
  config["epsilon"] = epsilon_;
  config["amsgrad"] = amsgrad_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_adam(ConfigReader& config) {
  AdamOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  read_adam_keys(config, o);
  return std::make_shared<Adam>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
