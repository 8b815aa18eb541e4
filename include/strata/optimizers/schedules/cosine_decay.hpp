#pragma once
/// @file
/// Keras's CosineDecay, with its optional linear warmup. Without warmup_target:
/// lr(step) = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha),
/// s = min(step, decay_steps). With warmup_target, the rate first goes linearly from
/// initial_learning_rate to warmup_target over warmup_steps, then decays from warmup_target as
/// above over the next decay_steps.
///
///     schedules::CosineDecay(0.1, 1000)
///     schedules::CosineDecay(0.0, 1000, {.warmup_target = 0.1, .warmup_steps = 100})

#include <optional>
#include <string>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules {

/// CosineDecay's optional arguments, with Keras's defaults.
struct CosineDecayOptions {
  double alpha = 0.0;                                  ///< the final rate, as a fraction of the peak
  std::string name = "CosineDecay";                    ///< kept in the config
  std::optional<double> warmup_target = std::nullopt;  ///< the rate the warmup reaches; none: no warmup
  double warmup_steps = 0;                             ///< the warmup's length in steps
};

/// See the file comment.
class CosineDecay : public LearningRateSchedule {
 public:
  /// Keras's constructor; decay_steps must be > 0.
  CosineDecay(double initial_learning_rate, double decay_steps, const CosineDecayOptions& options = {});
  std::string class_name() const override { return "CosineDecay"; }
  double operator()(std::int64_t step) const override;
  nlohmann::json get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_;
  CosineDecayOptions options_;
};

}  // namespace strata::optimizers::schedules
