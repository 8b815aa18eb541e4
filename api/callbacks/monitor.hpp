#pragma once
// Keras's MonitorCallback: which way a monitored log value improves (mode "min", "max" or
// "auto", where auto asks the model's compiled metric of that name for its direction) and the
// improvement test with min_delta, shared by EarlyStopping, ModelCheckpoint and
// ReduceLROnPlateau.

#include <optional>
#include <string>

#include "strata/history.hpp"

namespace strata {
class Model;
}

namespace strata::detail {

class Monitor {
 public:
  // `owner` names the callback in messages ("EarlyStopping"). An unknown mode warns (on
  // stderr, as Keras's warning) and falls back to "auto".
  Monitor(std::string owner, std::string monitor, std::string mode, double min_delta);

  const std::string& monitor() const { return monitor_; }
  // Settles the direction on first use: min, max, or auto from the model's metrics. Throws
  // ValueError in Keras's words when auto cannot tell.
  void settle(const Model& model);
  // Whether `value` improves on `reference` by more than min_delta (always, with no reference).
  bool improves(double value, std::optional<double> reference) const;
  // The monitored value in `logs`, or nothing.
  std::optional<double> value_in(const Logs& logs) const;
  // The keys of `logs`, comma-separated (for the "not available" warnings).
  static std::string keys_of(const Logs& logs);

 private:
  std::string owner_, monitor_, mode_;
  double min_delta_;
  std::optional<bool> lower_is_better_;
};

// Whether a metric's values improve upwards (accuracy, AUC, ...) or downwards (errors,
// crossentropies), by Keras's `_direction` of its class; nothing for a class Keras gives none.
std::optional<bool> metric_improves_upwards(const std::string& class_name);

}  // namespace strata::detail
