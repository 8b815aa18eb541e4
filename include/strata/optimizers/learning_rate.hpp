#pragma once
/// @class strata::optimizers::LearningRate
/// What an optimizer's `learning_rate` argument takes, as in Keras: a number, or a
/// LearningRateSchedule evaluated at every step.
///
///     optimizers::Adam(0.01)
///     optimizers::Adam(schedules::ExponentialDecay(0.1, 1000, 0.96), {.clipnorm = 1.0})

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers {

class LearningRate {
 public:
  /// A fixed learning rate (settable later with Optimizer::set_learning_rate).
  LearningRate(double value) : value_(value) {}  // NOLINT(google-explicit-constructor): Keras's float argument
  /// A schedule, copied: `Adam(schedules::CosineDecay(0.1, 1000))`.
  template <class Schedule>
  requires std::derived_from<std::decay_t<Schedule>, schedules::LearningRateSchedule> LearningRate(
      Schedule&& schedule)  // NOLINT(google-explicit-constructor)
      : schedule_(std::make_shared<std::decay_t<Schedule>>(std::forward<Schedule>(schedule))) {}
  /// A schedule shared with the caller (from LearningRateSchedule::from_config); must not be null.
  template <class Schedule>
  requires std::derived_from<std::remove_const_t<Schedule>, schedules::LearningRateSchedule> LearningRate(
      std::shared_ptr<Schedule> schedule)  // NOLINT(google-explicit-constructor)
      : schedule_(std::move(schedule)) {}

  /// The schedule, or null for a fixed rate.
  const std::shared_ptr<const schedules::LearningRateSchedule>& schedule() const { return schedule_; }
  /// The fixed rate (meaningless when schedule() is set).
  double value() const { return value_; }

 private:
  double value_ = 0;
  std::shared_ptr<const schedules::LearningRateSchedule> schedule_;
};

}  // namespace strata::optimizers
