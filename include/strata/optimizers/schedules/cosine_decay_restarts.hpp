#pragma once
/// @file
/// Keras's CosineDecayRestarts (SGDR): cosine decays from initial_learning_rate, the i-th lasting
/// first_decay_steps * t_mul^i steps and peaking at initial_learning_rate * m_mul^i; each ends
/// at alpha times its peak.
///
///     schedules::CosineDecayRestarts(0.1, 1000)
///     schedules::CosineDecayRestarts(0.1, 1000, {.t_mul = 1.0, .m_mul = 0.9})

#include <string>

#include "strata/optimizers/schedules/learning_rate_schedule.hpp"

namespace strata::optimizers::schedules {

/// CosineDecayRestarts's optional arguments, with Keras's defaults.
struct CosineDecayRestartsOptions {
  double t_mul = 2.0;              ///< each period's length, relative to the previous one
  double m_mul = 1.0;              ///< each period's peak, relative to the previous one
  double alpha = 0.0;              ///< the rate at the end of a period, as a fraction of its peak
  std::string name = "SGDRDecay";  ///< kept in the config (Keras's default name)
};

/// See the file comment.
class CosineDecayRestarts : public LearningRateSchedule {
 public:
  /// Keras's constructor; first_decay_steps must be > 0.
  CosineDecayRestarts(double initial_learning_rate, double first_decay_steps,
                      const CosineDecayRestartsOptions& options = {});
  std::string class_name() const override { return "CosineDecayRestarts"; }
  double operator()(std::int64_t step) const override;
  nlohmann::json get_config() const override;

 private:
  double initial_learning_rate_, first_decay_steps_;
  CosineDecayRestartsOptions options_;
};

}  // namespace strata::optimizers::schedules
