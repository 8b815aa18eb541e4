#pragma once
/// @class strata::metrics::AUC
/// AUC: the area under the ROC or precision-recall curve, a Riemann sum over confusion counts
/// kept on the device at num_thresholds thresholds (Keras's keras.metrics.AUC). y_true is
/// positive when not 0; y_pred holds probabilities (or logits with from_logits). multi_label
/// keeps counts per column of a rank-2 y_pred and averages the columns' areas (weighted by
/// label_weights when given); otherwise all columns are pooled, each weighing label_weights.
///
/// ```
/// strata::metrics::AUC roc;                       // ROC, 200 thresholds, interpolation
/// strata::metrics::AUC pr({.curve = "PR"});
/// roc.update_state(y_true, y_pred);
/// double area = roc.result();
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/metrics/metric.hpp"

namespace strata {
namespace detail {
class ConfusionCounts;
}

namespace metrics {

/// The options of AUC, with Keras's defaults.
struct AUCOptions {
  /// Thresholds i / (num_thresholds - 1) with the ends moved to -1e-7 and 1 + 1e-7 (> 1).
  std::int64_t num_thresholds = 200;
  /// "ROC", "PR" or "PRGAIN" (Keras also accepts "roc", "pr", "prgain").
  std::string curve = "ROC";
  /// "interpolation", "minoring" or "majoring".
  std::string summation_method = "interpolation";
  /// The metric's key in the logs.
  std::string name = "auc";
  /// Explicit inner thresholds (sorted; -1e-7 and 1 + 1e-7 are added); num_thresholds becomes
  /// their number + 2.
  std::optional<std::vector<double>> thresholds;
  /// One curve per column of a rank-2 y_pred, averaged.
  bool multi_label = false;
  /// With multi_label: the number of columns, checked at every update.
  std::optional<std::int64_t> num_labels;
  /// Empty (None), or one non-negative weight per label.
  std::vector<double> label_weights;
  /// y_pred holds logits; a sigmoid is applied first.
  bool from_logits = false;
};

class AUC : public Metric {
 public:
  /// The options type, also reachable as AUC::Options.
  using Options = AUCOptions;
  /// `AUC()`, `AUC({.curve = "PR", .summation_method = "majoring"})`.
  explicit AUC(Options options = {});
  /// A copy has the configuration and an empty state.
  AUC(const AUC& other);
  /// Assigns the configuration; the state becomes empty.
  AUC& operator=(const AUC& other);
  ~AUC() override;

  std::string class_name() const override { return "AUC"; }
  /// Keras 3's keys: name, dtype, num_thresholds, curve, summation_method, multi_label,
  /// num_labels, label_weights, from_logits, and thresholds when they were given.
  nlohmann::json get_config() const override;

  using Metric::update_state;
  /// Adds the batch's counts: y_true and y_pred of one shape, sample_weight (n,) or null.
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// The area (0 before any update).
  double result() const override;
  /// Clears the counts.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// The options given.
  const Options& options() const { return options_; }
  /// The thresholds used, with their ends: -1e-7 first and 1 + 1e-7 last.
  const std::vector<double>& thresholds() const { return thresholds_; }

  /// From the "config" of Keras's serialized AUC.
  static std::shared_ptr<AUC> from_config(const nlohmann::json& config);

 private:
  Options options_;
  std::vector<double> thresholds_;
  std::unique_ptr<strata::detail::ConfusionCounts> counts_;
};

}  // namespace metrics
}  // namespace strata
