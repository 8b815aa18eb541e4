#pragma once
/// @class strata::losses::CategoricalCrossentropy
/// CategoricalCrossentropy: -sum over the last axis of y log p, for one-hot (or soft) labels
/// shaped like y_pred (Keras's keras.losses.CategoricalCrossentropy). With probabilities Keras
/// first divides p by its sum over the last axis, then clips it to [1e-7, 1 - 1e-7].

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

/// The options of CategoricalCrossentropy beyond its positional arguments, with Keras's defaults.
struct CategoricalCrossentropyOptions {
  bool from_logits = false;     ///< y_pred holds logits rather than probabilities
  double label_smoothing = 0.;  ///< in [0, 1]: labels become y (1 - s) + s / num_classes
  /// How per-sample losses combine; Keras's default sums and divides by the batch size.
  Reduction reduction = Reduction::SumOverBatchSize;
  /// The name the loss reports in logs.
  std::string name = "categorical_crossentropy";
};

class CategoricalCrossentropy : public Loss {
 public:
  /// The options type, also reachable as CategoricalCrossentropy::Options.
  using Options = CategoricalCrossentropyOptions;
  /// `CategoricalCrossentropy()`, `CategoricalCrossentropy({.from_logits = true})`.
  explicit CategoricalCrossentropy(Options options = {});

  std::string class_name() const override { return "CategoricalCrossentropy"; }
  /// {"name", "reduction", "from_logits", "label_smoothing", "axis": -1}.
  nlohmann::json get_config() const override;
  LossParams params() const override;
  /// Whether y_pred holds logits rather than probabilities.
  bool from_logits() const { return from_logits_; }
  /// The label smoothing factor: targets move this far toward the uniform distribution.
  double label_smoothing() const { return label_smoothing_; }

  /// From the "config" of Keras's serialized CategoricalCrossentropy.
  static std::shared_ptr<CategoricalCrossentropy> from_config(const nlohmann::json& config);

 private:
  bool from_logits_;
  double label_smoothing_;
};

}  // namespace strata::losses
