#pragma once
/// @file
/// Keras's PolynomialDecay: lr(step) = (initial_learning_rate - end_learning_rate) *
/// (1 - min(step, decay_steps) / decay_steps) ^ power + end_learning_rate; with cycle, decay_steps
/// grows to the first multiple of itself at or above step instead.
///
///     schedules::PolynomialDecay(0.1, 10000, {.end_learning_rate = 0.01, .power = 0.5})

#include <string>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules {

/// PolynomialDecay's optional arguments, with Keras's defaults.
struct PolynomialDecayOptions {
  double end_learning_rate = 0.0001;     ///< the rate reached at decay_steps
  double power = 1.0;                    ///< the polynomial's power
  bool cycle = false;                    ///< restart the decay past decay_steps
  std::string name = "PolynomialDecay";  ///< kept in the config
};

/// See the file comment.
class PolynomialDecay : public LearningRateSchedule {
 public:
  /// Keras's constructor; decay_steps must be > 0.
  PolynomialDecay(double initial_learning_rate, double decay_steps, const PolynomialDecayOptions& options = {});
  std::string class_name() const override { return "PolynomialDecay"; }
  double operator()(std::int64_t step) const override;
  nlohmann::json get_config() const override;

 private:
  double initial_learning_rate_, decay_steps_;
  PolynomialDecayOptions options_;
};

}  // namespace strata::optimizers::schedules
