#pragma once
/// @class strata::optimizers::schedules::LearningRateSchedule
/// Keras's LearningRateSchedule: a learning rate as a function of the optimizer's step. Pass one
/// as an optimizer's learning rate; the optimizer evaluates it at its `iterations` before each
/// update, as Keras does. Values are computed in float32 with Keras's formulas, operation by
/// operation.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace strata::optimizers::schedules {

class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  /// "ExponentialDecay", ...
  virtual std::string class_name() const = 0;
  /// The learning rate at `step` (Keras's `schedule(step)`), a float32 value.
  virtual double operator()(std::int64_t step) const = 0;
  /// Keras's get_config(): the constructor's arguments by name.
  virtual nlohmann::json get_config() const = 0;
  /// Keras's serialized form, as an optimizer's config holds it: {"module":
  /// "keras.optimizers.schedules", "class_name", "config", "registered_name": null}.
  nlohmann::json serialize() const;

  /// Rebuilds a schedule from its serialized form (or {"class_name", "config"} as Keras 2 wrote
  /// it); throws ValueError for an unknown class or argument.
  static std::shared_ptr<LearningRateSchedule> from_config(const nlohmann::json& serialized);
  /// The class names from_config accepts.
  static std::vector<std::string> names();
};

}  // namespace strata::optimizers::schedules
