#pragma once
/// @class strata::metrics::R2Score
/// R2Score: the coefficient of determination, 1 - sum (y - p)^2 / sum (y - mean y)^2 per output
/// column, from weighted column sums kept on the device (Keras's keras.metrics.R2Score).
/// y_true and y_pred are (batch, outputs). class_aggregation: "uniform_average" (the columns'
/// mean), "variance_weighted_average" (weighted by each column's variance), or none (one score
/// per column: read results(), result() throws). num_regressors > 0 gives the adjusted R^2 when
/// there are more samples than regressors + 1 (else the plain score, as Keras, which warns).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/metrics/metric.hpp"

namespace strata::metrics {

/// The options of R2Score, with Keras's defaults.
struct R2ScoreOptions {
  /// "uniform_average", "variance_weighted_average", or none: one score per output.
  std::optional<std::string> class_aggregation = "uniform_average";
  /// The number of independent regressors for the adjusted score (>= 0; 0: plain R^2).
  std::int64_t num_regressors = 0;
  /// The metric's key in the logs.
  std::string name = "r2_score";
};

class R2Score : public Metric {
 public:
  /// The options type, also reachable as R2Score::Options.
  using Options = R2ScoreOptions;
  /// `R2Score()`, `R2Score({.class_aggregation = std::nullopt})`.
  explicit R2Score(Options options = {});
  /// A copy has the configuration and an empty state.
  R2Score(const R2Score& other);
  /// Assigns the configuration; the state becomes empty.
  R2Score& operator=(const R2Score& other);

  std::string class_name() const override { return "R2Score"; }
  /// {"name", "dtype", "class_aggregation", "num_regressors"}.
  nlohmann::json get_config() const override;

  using Metric::update_state;
  /// Adds the batch's sums: y_true and y_pred (batch, outputs) (y_true (n,) against (n, 1) is
  /// fine), sample_weight (batch,) or null.
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// The aggregated score; ValueError without class_aggregation (see results()).
  double result() const override;
  /// One score per output without class_aggregation (empty before any update), else one.
  std::vector<double> results() const override;
  /// False without class_aggregation.
  bool scalar_result() const override { return options_.class_aggregation.has_value(); }
  /// Clears the sums.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// The options given.
  const Options& options() const { return options_; }
  /// [sum w y, sum w y^2, sum w (y - p)^2, sum w] per output, (4, outputs), on the device;
  /// undefined until the first update.
  const Tensor& state() const { return state_; }

  /// From the "config" of Keras's serialized R2Score.
  static std::shared_ptr<R2Score> from_config(const nlohmann::json& config);

 private:
  Options options_;
  Tensor state_;
  std::int64_t num_samples_ = 0;  // elements of y_true seen: a count of shapes, kept on the host
};

}  // namespace strata::metrics
