#include "strata/optimizers/nadam.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

namespace {
// Keras's momentum schedule u_t = beta_1 (1 - 0.5 * 0.96^t), in float32.
float momentum_at(float beta_1, float t) { return beta_1 * (1.f - 0.5f * std::pow(0.96f, t)); }
}  // namespace

Nadam::Nadam(LearningRate learning_rate, const NadamOptions& options)
    : Optimizer(options.name.empty() ? "nadam" : options.name, std::move(learning_rate), options.common()),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon) {
  detail::check_argument(beta_1_ >= 0 && beta_1_ < 1, "beta_1", "in [0, 1)", beta_1_);
  detail::check_argument(beta_2_ >= 0 && beta_2_ < 1, "beta_2", "in [0, 1)", beta_2_);
  detail::check_argument(std::isfinite(epsilon_) && epsilon_ >= 0, "epsilon", "a non-negative number", epsilon_);
}

void Nadam::build_slots(const Variable& variable) {
  add_slot(variable, "momentum");
  add_slot(variable, "velocity");
}

// Keras creates u_product with backend.Variable(1.0) and no name: "<optimizer>/variable".
void Nadam::build_globals() { add_variable(Shape{}, "variable", 1.f); }

void Nadam::before_update_steps() {
  // Keras's _backend_update_step advances u_product once per update, before the variables'
  // steps. It lives in the optimizer variable (saved and loaded with the others), so it is
  // read back rather than kept on the host.
  Tensor& u = global_variable(0).value;
  float value = 0;
  u.backend().download(u, &value);
  const auto t = static_cast<float>(iterations() + 1);
  u_product_ = value * static_cast<float>(beta_1_) * (1.f - 0.5f * std::pow(0.96f, t));
  u.backend().upload(&u_product_, u);
}

void Nadam::update_step(std::size_t index, Variable& variable, float learning_rate) {
  const auto beta_1 = static_cast<float>(beta_1_);
  const auto beta_2 = static_cast<float>(beta_2_);
  const auto t = static_cast<float>(iterations() + 1);
  NadamParams p;
  p.learning_rate = learning_rate;
  p.one_minus_beta_1 = 1.f - beta_1;
  p.one_minus_beta_2 = 1.f - beta_2;
  p.epsilon = static_cast<float>(epsilon_);
  p.u_t = momentum_at(beta_1, t);
  p.u_t_1 = momentum_at(beta_1, t + 1.f);
  p.u_product_t = u_product_;
  p.u_product_t_1 = u_product_ * p.u_t_1;
  p.beta_2_power = std::pow(beta_2, t);
  variable.value.backend().nadam_update(variable.value, variable.grad, slot(index, 0).value, slot(index, 1).value, p);
}

nlohmann::json Nadam::get_config() const {
  auto config = Optimizer::get_config();
  config["beta_1"] = beta_1_;
  config["beta_2"] = beta_2_;
  config["epsilon"] = epsilon_;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_nadam(ConfigReader& config) {
  NadamOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.beta_1 = config.number("beta_1", o.beta_1);
  o.beta_2 = config.number("beta_2", o.beta_2);
  o.epsilon = config.number("epsilon", o.epsilon);
  return std::make_shared<Nadam>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
