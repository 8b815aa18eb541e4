#pragma once
/// @class strata::metrics::F1Score
/// F1Score: FBetaScore with beta = 1, the harmonic mean of precision and recall (Keras's
/// keras.metrics.F1Score). `F1Score({.average = "macro", .threshold = 0.5})`.

#include <memory>
#include <optional>
#include <string>

#include "strata/metrics/fbeta_score.hpp"

namespace strata::metrics {

/// The options of F1Score, with Keras's defaults.
struct F1ScoreOptions {
  /// None: one score per class; or "micro", "macro", "weighted".
  std::optional<std::string> average;
  /// None: the row's largest prediction is the positive one; else 0 < threshold <= 1.
  std::optional<double> threshold;
  /// The metric's key in the logs.
  std::string name = "f1_score";
};

class F1Score : public FBetaScore {
 public:
  /// The options type, also reachable as F1Score::Options.
  using Options = F1ScoreOptions;
  /// `F1Score()`, `F1Score({.average = "weighted"})`.
  explicit F1Score(Options options = {});

  std::string class_name() const override { return "F1Score"; }
  /// {"name", "dtype", "average", "threshold"} (no "beta", as Keras).
  nlohmann::json get_config() const override;

  /// From the "config" of Keras's serialized F1Score.
  static std::shared_ptr<F1Score> from_config(const nlohmann::json& config);
};

}  // namespace strata::metrics
