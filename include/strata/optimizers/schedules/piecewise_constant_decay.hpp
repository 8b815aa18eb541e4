#pragma once
/// @file
/// Keras's PiecewiseConstantDecay: values[0] while step <= boundaries[0], values[i] while
/// boundaries[i-1] < step <= boundaries[i], values.back() after the last boundary. Boundaries
/// are compared as integers, as Keras casts them to the step's integer type.
///
///     schedules::PiecewiseConstantDecay({100000, 110000}, {1.0, 0.5, 0.1})

#include <string>
#include <vector>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules {

/// See the file comment.
class PiecewiseConstantDecay : public LearningRateSchedule {
 public:
  /// Keras's constructor; values must have one more element than boundaries.
  PiecewiseConstantDecay(std::vector<double> boundaries, std::vector<double> values,
                         std::string name = "PiecewiseConstant");
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  double operator()(std::int64_t step) const override;
  nlohmann::json get_config() const override;

 private:
  std::vector<double> boundaries_, values_;
  std::string name_;
};

}  // namespace strata::optimizers::schedules
