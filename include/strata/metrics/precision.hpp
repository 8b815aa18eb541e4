#pragma once
/// @class strata::metrics::Precision
/// Precision: the fraction of predicted positives that are positive, tp / (tp + fp), from weighted confusion counts
/// kept on the device at each threshold (Keras's keras.metrics.Precision). A prediction counts as
/// positive above the threshold; y_true is positive when not 0. With top_k only the k highest
/// predictions of a row can be positive; with class_id only that column of y_true and y_pred
/// counts. Several thresholds give one result each (results(); result() then throws).
///
/// ```
/// strata::metrics::Precision m({.thresholds = 0.3});
/// m.update_state(y_true, y_pred);  // host arrays or device tensors
/// double value = m.result();
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/metrics/metric.hpp"
#include "strata/metrics/thresholds.hpp"

namespace strata {
namespace detail {
class ConfusionCounts;
}

namespace metrics {

/// The options of Precision, with Keras's defaults.
struct PrecisionOptions {
  /// None: 0.5 (-1e10 with top_k, so the top k count as positive); each in [0, 1].
  Thresholds thresholds;
  /// Only the k highest predictions of each row can be positive (>= 1).
  std::optional<std::int64_t> top_k;
  /// Only this class (column of the last axis) counts.
  std::optional<std::int64_t> class_id;
  /// The metric's key in the logs.
  std::string name = "precision";
};

class Precision : public Metric {
 public:
  /// The options type, also reachable as Precision::Options.
  using Options = PrecisionOptions;
  /// `Precision()`, `Precision({.thresholds = {0.3, 0.7}})`, `Precision({.top_k = 2, .class_id = 1})`.
  explicit Precision(Options options = {});
  /// A copy has the configuration and an empty state.
  Precision(const Precision& other);
  /// Assigns the configuration; the state becomes empty.
  Precision& operator=(const Precision& other);
  ~Precision() override;

  std::string class_name() const override { return "Precision"; }
  /// {"name", "dtype", "thresholds", "top_k", "class_id"}, as Keras 3 writes them.
  nlohmann::json get_config() const override;

  using Metric::update_state;
  /// Adds the batch's counts: y_true and y_pred of one shape (y_true (n,) against (n, 1) is
  /// fine), sample_weight (n,) or null.
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// The value at the one threshold; ValueError when there are several (see results()).
  double result() const override;
  /// One value per threshold: tp / (tp + fp), 0 where nothing was counted.
  std::vector<double> results() const override;
  /// True with one threshold.
  bool scalar_result() const override;
  /// Clears the counts.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// The options given.
  const Options& options() const { return options_; }

  /// From the "config" of Keras's serialized Precision.
  static std::shared_ptr<Precision> from_config(const nlohmann::json& config);

 private:
  Options options_;
  std::unique_ptr<strata::detail::ConfusionCounts> counts_;
};

}  // namespace metrics
}  // namespace strata
