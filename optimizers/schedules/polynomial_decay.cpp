#include "strata/optimizers/schedules/polynomial_decay.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/schedules/schedule_config.hpp"

namespace strata::optimizers::schedules {

PolynomialDecay::PolynomialDecay(double initial_learning_rate, double decay_steps,
                                 const PolynomialDecayOptions& options)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), options_(options) {
  detail::check_positive_steps("decay_steps", decay_steps_);
}

double PolynomialDecay::operator()(std::int64_t step) const {
  // Keras's float32 operations, one by one.
  const auto initial = static_cast<float>(initial_learning_rate_);
  const auto end = static_cast<float>(options_.end_learning_rate);
  float s = static_cast<float>(step);
  float steps = static_cast<float>(decay_steps_);
  if (options_.cycle) {
    const float multiplier = s == 0.f ? 1.f : std::ceil(s / steps);
    steps *= multiplier;
  } else {
    s = std::min(s, steps);
  }
  const float p = s / steps;
  return (initial - end) * std::pow(1.f - p, static_cast<float>(options_.power)) + end;
}

nlohmann::json PolynomialDecay::get_config() const {
  return {{"initial_learning_rate", initial_learning_rate_},
          {"decay_steps", decay_steps_},
          {"end_learning_rate", options_.end_learning_rate},
          {"power", options_.power},
          {"cycle", options_.cycle},
          {"name", options_.name}};
}

namespace detail {
std::shared_ptr<LearningRateSchedule> make_polynomial_decay(optimizers::detail::ConfigReader& config) {
  PolynomialDecayOptions o;
  const double initial = config.required_number("initial_learning_rate");
  const double steps = config.required_number("decay_steps");
  o.end_learning_rate = config.number("end_learning_rate", o.end_learning_rate);
  o.power = config.number("power", o.power);
  o.cycle = config.boolean("cycle", o.cycle);
  o.name = config.string("name", o.name);
  return std::make_shared<PolynomialDecay>(initial, steps, o);
}
}  // namespace detail

}  // namespace strata::optimizers::schedules
