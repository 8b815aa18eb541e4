#include "strata/optimizers/adafactor.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::optimizers {

Adafactor::Adafactor(LearningRate learning_rate, const AdafactorOptions& options)
    : Optimizer(options.name.empty() ? "adafactor" : options.name, std::move(learning_rate), options.common()),
      o_(options) {
  detail::check_argument(std::isfinite(o_.clip_threshold) && o_.clip_threshold > 0, "clip_threshold",
                         "a positive number", o_.clip_threshold);
  detail::check_argument(std::isfinite(o_.epsilon_1) && o_.epsilon_1 >= 0, "epsilon_1", "a non-negative number",
                         o_.epsilon_1);
  detail::check_argument(std::isfinite(o_.epsilon_2) && o_.epsilon_2 >= 0, "epsilon_2", "a non-negative number",
                         o_.epsilon_2);
}

void Adafactor::build_slots(const Variable& variable) {
  // Keras names r and c after the variable (not its path), then adds the velocity.
  const Shape& shape = variable.value.shape();
  if (shape.rank() < 2) {
    add_slot_variable(Shape{}, variable.name);
    add_slot_variable(Shape{}, variable.name);
  } else {
    const auto dims = shape.to_vector();
    std::vector<std::int64_t> r(dims.begin(), dims.end() - 1);
    std::vector<std::int64_t> c(dims.begin(), dims.end() - 2);
    c.push_back(dims.back());
    add_slot_variable(Shape(r), variable.name);
    add_slot_variable(Shape(c), variable.name);
  }
  add_slot(variable, "velocity");
}

void Adafactor::update_step(std::size_t index, Variable& variable, float learning_rate) {
  // Keras's float32 scalars: rho_t = min(lr, 1 / sqrt(t)) (relative_step's clamp of lr is the
  // same min), beta_2_t = 1 - t^beta_2_decay.
  const auto t = static_cast<float>(iterations() + 1);
  AdafactorParams p;
  p.rho_t = std::min(learning_rate, 1.f / std::sqrt(t));
  p.beta_2_t = 1.f - std::pow(t, static_cast<float>(o_.beta_2_decay));
  p.epsilon_1 = static_cast<float>(o_.epsilon_1);
  p.epsilon_2 = static_cast<float>(o_.epsilon_2);
  p.clip_threshold = static_cast<float>(o_.clip_threshold);
  const bool factored = variable.value.shape().rank() >= 2;
  Tensor* r = factored ? &slot(index, 0).value : nullptr;
  Tensor* c = factored ? &slot(index, 1).value : nullptr;
  variable.value.backend().adafactor_update(variable.value, variable.grad, r, c, slot(index, 2).value, p);
}

nlohmann::json Adafactor::get_config() const {
  auto config = Optimizer::get_config();
  config["beta_2_decay"] = o_.beta_2_decay;
  config["epsilon_1"] = o_.epsilon_1;
  config["epsilon_2"] = o_.epsilon_2;
  config["clip_threshold"] = o_.clip_threshold;
  config["relative_step"] = o_.relative_step;
  return config;
}

namespace detail {
std::shared_ptr<Optimizer> make_adafactor(ConfigReader& config) {
  AdafactorOptions o;
  const LearningRate learning_rate = config.read_common(o, 0.001);
  o.beta_2_decay = config.number("beta_2_decay", o.beta_2_decay);
  o.epsilon_1 = config.number("epsilon_1", o.epsilon_1);
  o.epsilon_2 = config.number("epsilon_2", o.epsilon_2);
  o.clip_threshold = config.number("clip_threshold", o.clip_threshold);
  o.relative_step = config.boolean("relative_step", o.relative_step);
  return std::make_shared<Adafactor>(learning_rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers
