#include "strata/optimizers/schedules/cosine_decay.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <nlohmann/json.hpp>

#include "optimizers/schedules/schedule_config.hpp"

namespace strata::optimizers::schedules {

CosineDecay::CosineDecay(double initial_learning_rate, double decay_steps, const CosineDecayOptions& options)
    : initial_learning_rate_(initial_learning_rate), decay_steps_(decay_steps), options_(options) {
  detail::check_positive_steps("decay_steps", decay_steps_);
}

double CosineDecay::operator()(std::int64_t step) const {
  // Keras's float32 operations, one by one (its _decay_function and _warmup_function).
  const auto initial = static_cast<float>(initial_learning_rate_);
  const auto steps = static_cast<float>(decay_steps_);
  const auto alpha = options_.alpha;
  const auto decay = [&](float s, float from) {
    const float completed = s / steps;
    const float cosine = 0.5f * (1.f + std::cos(std::numbers::pi_v<float> * completed));
    // (1 - alpha) and alpha are Python floats in Keras: computed in double, then float32.
    return from * (static_cast<float>(1.0 - alpha) * cosine + static_cast<float>(alpha));
  };
  float s = static_cast<float>(step);
  if (!options_.warmup_target) return decay(std::min(s, steps), initial);
  const auto target = static_cast<float>(*options_.warmup_target);
  const auto warmup = static_cast<float>(options_.warmup_steps);
  s = std::min(s, steps + warmup);
  if (s < warmup) return (target - initial) * (s / warmup) + initial;
  return decay(s - warmup, target);
}

nlohmann::json CosineDecay::get_config() const {
  return {{"initial_learning_rate", initial_learning_rate_},
          {"decay_steps", decay_steps_},
          {"alpha", options_.alpha},
          {"name", options_.name},
          {"warmup_target", options_.warmup_target ? nlohmann::json(*options_.warmup_target) : nlohmann::json()},
          {"warmup_steps", options_.warmup_steps}};
}

namespace detail {
std::shared_ptr<LearningRateSchedule> make_cosine_decay(optimizers::detail::ConfigReader& config) {
  CosineDecayOptions o;
  const double initial = config.required_number("initial_learning_rate");
  const double steps = config.required_number("decay_steps");
  o.alpha = config.number("alpha", o.alpha);
  o.name = config.string("name", o.name);
  o.warmup_target = config.optional_number("warmup_target", o.warmup_target);
  o.warmup_steps = config.number("warmup_steps", o.warmup_steps);
  return std::make_shared<CosineDecay>(initial, steps, o);
}
}  // namespace detail

}  // namespace strata::optimizers::schedules
