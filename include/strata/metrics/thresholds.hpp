#pragma once
/// @class strata::metrics::Thresholds
/// The `thresholds` argument of Precision and Recall as Keras takes it: none (Keras's None: the
/// metric's default), one number (the result is one number) or a list (one result per
/// threshold). `{.thresholds = 0.3}`, `{.thresholds = {0.2, 0.5, 0.8}}`.

#include <initializer_list>
#include <vector>

namespace strata::metrics {

class Thresholds {
 public:
  /// None: the metric's default threshold.
  Thresholds() = default;
  /// One threshold; written to the config as a number.
  Thresholds(double value) : values_{value}, given_(true) {}  // NOLINT(google-explicit-constructor)
  /// Several thresholds; written to the config as a list, even of one.
  Thresholds(std::initializer_list<double> values) : values_(values), list_(true), given_(true) {}
  /// Several thresholds; written to the config as a list, even of one.
  Thresholds(std::vector<double> values)  // NOLINT(google-explicit-constructor)
      : values_(std::move(values)), list_(true), given_(true) {}

  /// False for None.
  bool given() const { return given_; }
  /// True when given as a list.
  bool is_list() const { return list_; }
  /// The thresholds as given (empty for None).
  const std::vector<double>& values() const { return values_; }

 private:
  std::vector<double> values_;
  bool list_ = false;
  bool given_ = false;
};

}  // namespace strata::metrics
