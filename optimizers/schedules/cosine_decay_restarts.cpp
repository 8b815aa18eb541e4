#include "strata/optimizers/schedules/cosine_decay_restarts.hpp"

#include <cmath>
#include <numbers>

#include <nlohmann/json.hpp>

#include "optimizers/schedules/schedule_config.hpp"

namespace strata::optimizers::schedules {

CosineDecayRestarts::CosineDecayRestarts(double initial_learning_rate, double first_decay_steps,
                                         const CosineDecayRestartsOptions& options)
    : initial_learning_rate_(initial_learning_rate), first_decay_steps_(first_decay_steps), options_(options) {
  detail::check_positive_steps("first_decay_steps", first_decay_steps_);
}

double CosineDecayRestarts::operator()(std::int64_t step) const {
  // Keras's float32 operations, one by one.
  const auto initial = static_cast<float>(initial_learning_rate_);
  const auto alpha = static_cast<float>(options_.alpha);
  const auto t_mul = static_cast<float>(options_.t_mul);
  const auto m_mul = static_cast<float>(options_.m_mul);
  float completed = static_cast<float>(step) / static_cast<float>(first_decay_steps_);
  float restart = 0;
  if (t_mul == 1.f) {
    restart = std::floor(completed);
    completed -= restart;
  } else {
    // Periods grow geometrically: the restart index from the sum of the series.
    restart = std::floor(std::log(1.f - completed * (1.f - t_mul)) / std::log(t_mul));
    const float sum = (1.f - std::pow(t_mul, restart)) / (1.f - t_mul);
    completed = (completed - sum) / std::pow(t_mul, restart);
  }
  const float m_fac = std::pow(m_mul, restart);
  const float cosine = 0.5f * m_fac * (1.f + std::cos(std::numbers::pi_v<float> * completed));
  return initial * ((1.f - alpha) * cosine + alpha);
}

nlohmann::json CosineDecayRestarts::get_config() const {
  return {{"initial_learning_rate", initial_learning_rate_},
          {"first_decay_steps", first_decay_steps_},
          {"t_mul", options_.t_mul},
          {"m_mul", options_.m_mul},
          {"alpha", options_.alpha},
          {"name", options_.name}};
}

namespace detail {
std::shared_ptr<LearningRateSchedule> make_cosine_decay_restarts(optimizers::detail::ConfigReader& config) {
  CosineDecayRestartsOptions o;
  const double initial = config.required_number("initial_learning_rate");
  const double steps = config.required_number("first_decay_steps");
  o.t_mul = config.number("t_mul", o.t_mul);
  o.m_mul = config.number("m_mul", o.m_mul);
  o.alpha = config.number("alpha", o.alpha);
  o.name = config.string("name", o.name);
  return std::make_shared<CosineDecayRestarts>(initial, steps, o);
}
}  // namespace detail

}  // namespace strata::optimizers::schedules
