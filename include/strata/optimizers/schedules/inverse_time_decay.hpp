#pragma once
/// @file
/// Keras's InverseTimeDecay: lr(step) = initial_learning_rate / (1 + decay_rate * step /
/// decay_steps), step / decay_steps floored when staircase.
///
///     schedules::InverseTimeDecay(0.1, 1000, 0.5)

#include <string>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules {

/// InverseTimeDecay's optional arguments, with Keras's defaults.
struct InverseTimeDecayOptions {
  bool staircase = false;                 ///< decay at whole multiples of decay_steps only
  std::string name = "InverseTimeDecay";  ///< kept in the config
};

/// See the file comment.
class InverseTimeDecay : public LearningRateSchedule {
 public:
  /// Keras's constructor; decay_steps must be > 0.
  InverseTimeDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   const InverseTimeDecayOptions& options = {});
  std::string class_name() const override { return "InverseTimeDecay"; }
  double operator()(std::int64_t step) const override;
  nlohmann::json get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_, decay_rate_;
  InverseTimeDecayOptions options_;
};

}  // namespace strata::optimizers::schedules
