#include "api/callbacks/monitor.hpp"

#include <array>
#include <iostream>
#include <string_view>
#include <utility>

#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata::detail {

std::optional<bool> metric_improves_upwards(const std::string& class_name) {
  // Keras's `_direction` per metric class (keras/src/metrics); classes Keras gives none (Mean,
  // Sum) have none here either.
  static constexpr std::array<std::pair<std::string_view, bool>, 27> kDirections = {{
      {"Accuracy", true},
      {"BinaryAccuracy", true},
      {"CategoricalAccuracy", true},
      {"SparseCategoricalAccuracy", true},
      {"TopKCategoricalAccuracy", true},
      {"SparseTopKCategoricalAccuracy", true},
      {"AUC", true},
      {"Precision", true},
      {"Recall", true},
      {"F1Score", true},
      {"FBetaScore", true},
      {"R2Score", true},
      {"IoU", true},
      {"MeanIoU", true},
      {"CosineSimilarity", true},
      {"PearsonCorrelation", true},
      {"MeanSquaredError", false},
      {"MeanAbsoluteError", false},
      {"RootMeanSquaredError", false},
      {"MeanAbsolutePercentageError", false},
      {"MeanSquaredLogarithmicError", false},
      {"BinaryCrossentropy", false},
      {"CategoricalCrossentropy", false},
      {"SparseCategoricalCrossentropy", false},
      {"Hinge", false},
      {"LogCoshError", false},
      {"MeanMetricWrapper", false},
  }};
  for (const auto& [name, up] : kDirections)
    if (name == class_name) return up;
  return std::nullopt;
}

Monitor::Monitor(std::string owner, std::string monitor, std::string mode, double min_delta)
    : owner_(std::move(owner)), monitor_(std::move(monitor)), mode_(std::move(mode)), min_delta_(std::abs(min_delta)) {
  if (mode_ != "auto" && mode_ != "min" && mode_ != "max") {
    std::cerr << "WARNING: " << owner_ << " mode '" << mode_ << "' is unknown, fallback to auto mode.\n";
    mode_ = "auto";
  }
}

void Monitor::settle(const Model& model) {
  if (lower_is_better_) return;
  if (mode_ == "min") {
    lower_is_better_ = true;
  } else if (mode_ == "max") {
    lower_is_better_ = false;
  } else {
    const std::string name = monitor_.starts_with("val_") ? monitor_.substr(4) : monitor_;
    if (name == "loss") lower_is_better_ = true;
    for (const auto& [key, metric] : model.metrics())
      if (key == name)
        if (const auto up = metric_improves_upwards(metric->class_name())) lower_is_better_ = !*up;
    STRATA_CHECK(lower_is_better_.has_value(), ValueError, owner_, " callback received monitor=", monitor_,
                 ", but Keras isn't able to automatically determine whether that metric should be maximized or "
                 "minimized. Pass `mode='max'` in order to monitor based on the highest metric value, or pass "
                 "`mode='min'` in order to use the lowest value.");
  }
}

bool Monitor::improves(double value, std::optional<double> reference) const {
  if (!reference) return true;
  STRATA_CHECK(lower_is_better_.has_value(), StateError, owner_, ": the monitor's direction is not settled yet");
  // Keras negates min_delta for "lower is better" and compares value - min_delta.
  return *lower_is_better_ ? value + min_delta_ < *reference : value - min_delta_ > *reference;
}

std::optional<double> Monitor::value_in(const Logs& logs) const {
  if (auto it = logs.find(monitor_); it != logs.end()) return it->second;
  return std::nullopt;
}

std::string Monitor::keys_of(const Logs& logs) {
  std::string out;
  for (const auto& [key, value] : logs) out += (out.empty() ? "" : ",") + key;
  return out;
}

}  // namespace strata::detail
