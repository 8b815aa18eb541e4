#pragma once
/// @file
/// Keras's ExponentialDecay: lr(step) = initial_learning_rate * decay_rate ^ (step / decay_steps),
/// the exponent floored when staircase.
///
///     schedules::ExponentialDecay(0.1, 1000, 0.96)
///     schedules::ExponentialDecay(0.1, 1000, 0.5, {.staircase = true})

#include <string>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules {

/// ExponentialDecay's optional arguments, with Keras's defaults.
struct ExponentialDecayOptions {
  bool staircase = false;                 ///< decay at whole multiples of decay_steps only
  std::string name = "ExponentialDecay";  ///< kept in the config
};

/// See the file comment.
class ExponentialDecay : public LearningRateSchedule {
 public:
  /// Keras's constructor; decay_steps must be > 0.
  ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   const ExponentialDecayOptions& options = {});
  std::string class_name() const override { return "ExponentialDecay"; }
  double operator()(std::int64_t step) const override;
  nlohmann::json get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_, decay_rate_;
  ExponentialDecayOptions options_;
};

}  // namespace strata::optimizers::schedules
