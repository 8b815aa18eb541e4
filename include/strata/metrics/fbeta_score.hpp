#pragma once
/// @class strata::metrics::FBetaScore
/// FBetaScore: the F-beta score, (1 + beta^2) precision recall / (beta^2 precision + recall),
/// from per-class counts kept on the device (Keras's keras.metrics.FBetaScore). y_true and
/// y_pred are (batch, classes). A prediction is positive above `threshold`, or, without one, when
/// it is the row's largest (and not 0). average: none (one score per class: read results(),
/// result() throws), "micro" (counts pooled over classes), "macro" (mean of the classes' scores)
/// or "weighted" (their mean weighted by each class's share of y_true).
///
/// ```
/// strata::metrics::FBetaScore f({.average = "macro", .beta = 2.0, .threshold = 0.5});
/// f.update_state(y_true, y_pred);
/// double score = f.result();
/// ```

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/metrics/metric.hpp"

namespace strata::metrics {

/// The options of FBetaScore, with Keras's defaults.
struct FBetaScoreOptions {
  /// None: one score per class; or "micro", "macro", "weighted".
  std::optional<std::string> average;
  /// The weight of recall against precision (> 0).
  double beta = 1.0;
  /// None: the row's largest prediction is the positive one; else 0 < threshold <= 1.
  std::optional<double> threshold;
  /// The metric's key in the logs.
  std::string name = "fbeta_score";
};

class FBetaScore : public Metric {
 public:
  /// The options type, also reachable as FBetaScore::Options.
  using Options = FBetaScoreOptions;
  /// `FBetaScore()`, `FBetaScore({.average = "micro", .beta = 0.5})`.
  explicit FBetaScore(Options options = {});
  /// A copy has the configuration and an empty state.
  FBetaScore(const FBetaScore& other);
  /// Assigns the configuration; the state becomes empty.
  FBetaScore& operator=(const FBetaScore& other);

  std::string class_name() const override { return "FBetaScore"; }
  /// {"name", "dtype", "average", "beta", "threshold"}.
  nlohmann::json get_config() const override;

  using Metric::update_state;
  /// Adds the batch's counts: y_true and y_pred (batch, classes), sample_weight (batch,) or null.
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// The averaged score; ValueError with average none (see results()).
  double result() const override;
  /// The scores: one per class with average none (empty before any update), else one.
  std::vector<double> results() const override;
  /// False with average none.
  bool scalar_result() const override { return options_.average.has_value(); }
  /// Clears the counts.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// The options given.
  const Options& options() const { return options_; }
  /// [true positives, false positives, false negatives, weighted y_true sum] per class, (4, c),
  /// on the device; undefined until the first update.
  const Tensor& state() const { return state_; }

  /// From the "config" of Keras's serialized FBetaScore.
  static std::shared_ptr<FBetaScore> from_config(const nlohmann::json& config);

 protected:
  /// The options as read from a config (shared with F1Score).
  static Options read_options(const nlohmann::json& config, const char* class_name, const std::string& default_name,
                              bool with_beta);

 private:
  Options options_;
  Tensor state_;
};

}  // namespace strata::metrics
