#pragma once
// Private to optimizers/schedules/: argument checks and the factories
// LearningRateSchedule::from_config dispatches to.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "optimizers/config.hpp"
#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules::detail {

/// A step-like argument as Python prints what the user passed: "10" for 10.0, else the float.
std::string step_repr(double value);
/// Keras's check: "Argument `<name>` must be > 0. Received: <name>=<value>".
void check_positive_steps(const char* name, double value);

std::shared_ptr<LearningRateSchedule> make_exponential_decay(optimizers::detail::ConfigReader& config);
std::shared_ptr<LearningRateSchedule> make_piecewise_constant_decay(optimizers::detail::ConfigReader& config);
std::shared_ptr<LearningRateSchedule> make_polynomial_decay(optimizers::detail::ConfigReader& config);
std::shared_ptr<LearningRateSchedule> make_inverse_time_decay(optimizers::detail::ConfigReader& config);
std::shared_ptr<LearningRateSchedule> make_cosine_decay(optimizers::detail::ConfigReader& config);
std::shared_ptr<LearningRateSchedule> make_cosine_decay_restarts(optimizers::detail::ConfigReader& config);

}  // namespace strata::optimizers::schedules::detail
