#include "strata/optimizers/schedules/exponential_decay.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optimizers/schedules/schedule_config.hpp"

namespace strata::optimizers::schedules {

ExponentialDecay::ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                                   const ExponentialDecayOptions& options)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      options_(options) {
  detail::check_positive_steps("decay_steps", decay_steps_);
}

double ExponentialDecay::operator()(std::int64_t step) const {
  // Keras's float32 operations, one by one.
  float p = static_cast<float>(step) / static_cast<float>(decay_steps_);
  if (options_.staircase) p = std::floor(p);
  return static_cast<float>(initial_learning_rate_) * std::pow(static_cast<float>(decay_rate_), p);
}

nlohmann::json ExponentialDecay::get_config() const {
  return {{"initial_learning_rate", initial_learning_rate_},
          {"decay_steps", decay_steps_},
          {"decay_rate", decay_rate_},
          {"staircase", options_.staircase},
          {"name", options_.name}};
}

namespace detail {
std::shared_ptr<LearningRateSchedule> make_exponential_decay(optimizers::detail::ConfigReader& config) {
  ExponentialDecayOptions o;
  const double initial = config.required_number("initial_learning_rate");
  const double steps = config.required_number("decay_steps");
  const double rate = config.required_number("decay_rate");
  o.staircase = config.boolean("staircase", o.staircase);
  o.name = config.string("name", o.name);
  return std::make_shared<ExponentialDecay>(initial, steps, rate, o);
}
}  // namespace detail

}  // namespace strata::optimizers::schedules
