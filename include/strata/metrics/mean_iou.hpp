#pragma once
/// @class strata::metrics::MeanIoU
/// MeanIoU: the mean over classes of the intersection over union, tp / (tp + fp + fn), from a
/// (num_classes, num_classes) confusion matrix kept on the device (Keras's
/// keras.metrics.MeanIoU). Labels and predictions are class indices (sparse_y_true /
/// sparse_y_pred), else one-hot or score rows whose argmax over the last axis is the class; any
/// leading shape is flattened. Pairs whose class is outside [0, num_classes) or whose true class
/// is ignore_class are not counted, as in Keras; classes absent from both sides are left out of
/// the mean.
///
/// Keras's default dtype for it is "int32": sample weights are truncated toward zero (Keras
/// warns); "float32" keeps them as they are.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "strata/metrics/metric.hpp"

namespace strata::metrics {

/// The options of MeanIoU beyond num_classes, with Keras's defaults.
struct MeanIoUOptions {
  /// The metric's key in the logs.
  std::string name = "mean_io_u";
  /// Pairs whose true class is this one are not counted (for a "void" class).
  std::optional<std::int64_t> ignore_class;
  /// y_true holds class indices; false: one-hot rows.
  bool sparse_y_true = true;
  /// y_pred holds class indices; false: score rows.
  bool sparse_y_pred = true;
  /// "int32" (Keras's default: integer weights) or "float32".
  std::string dtype = "int32";
};

class MeanIoU : public Metric {
 public:
  /// The options type, also reachable as MeanIoU::Options.
  using Options = MeanIoUOptions;
  /// `MeanIoU(3)`, `MeanIoU(3, {.sparse_y_pred = false})`.
  explicit MeanIoU(std::int64_t num_classes, Options options = {});
  /// A copy has the configuration and an empty state.
  MeanIoU(const MeanIoU& other);
  /// Assigns the configuration; the state becomes empty.
  MeanIoU& operator=(const MeanIoU& other);

  std::string class_name() const override { return "MeanIoU"; }
  /// {"num_classes", "name", "dtype", "ignore_class", "sparse_y_true", "sparse_y_pred", "axis"}.
  nlohmann::json get_config() const override;

  using Metric::update_state;
  /// Adds the batch's pairs: n class indices (or n rows) on each side; sample_weight with n
  /// elements, or one per leading sample (each weighing all its pairs), or null.
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override;
  /// The mean IoU over the classes present (0 before any update).
  double result() const override;
  /// Clears the matrix.
  void reset_state() override;
  std::vector<Tensor> state_tensors() const override;
  /// The number of classes.
  std::int64_t num_classes() const { return num_classes_; }
  /// The options given.
  const Options& options() const { return options_; }
  /// The confusion matrix [true][predicted] on the device; undefined until the first update.
  const Tensor& state() const { return state_; }

  /// From the "config" of Keras's serialized MeanIoU.
  static std::shared_ptr<MeanIoU> from_config(const nlohmann::json& config);

 private:
  std::int64_t num_classes_;
  Options options_;
  Tensor state_;
};

}  // namespace strata::metrics
