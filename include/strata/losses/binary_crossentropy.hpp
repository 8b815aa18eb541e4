#pragma once
/// @class strata::losses::BinaryCrossentropy
/// BinaryCrossentropy: the mean over the last axis of -(y log p + (1 - y) log(1 - p)), for
/// labels in [0, 1] (Keras's keras.losses.BinaryCrossentropy). With probabilities Keras clips p
/// to [1e-7, 1 - 1e-7]; with logits it uses the exact log-sigmoid form.

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

/// The options of BinaryCrossentropy beyond its positional arguments, with Keras's defaults.
struct BinaryCrossentropyOptions {
  bool from_logits = false;     ///< y_pred holds logits rather than probabilities
  double label_smoothing = 0.;  ///< in [0, 1]: labels become y (1 - s) + 0.5 s
  /// How per-sample losses combine; Keras's default sums and divides by the batch size.
  Reduction reduction = Reduction::SumOverBatchSize;
  /// The name the loss reports in logs.
  std::string name = "binary_crossentropy";
};

class BinaryCrossentropy : public Loss {
 public:
  /// The options type, also reachable as BinaryCrossentropy::Options.
  using Options = BinaryCrossentropyOptions;
  /// `BinaryCrossentropy()`, `BinaryCrossentropy({.from_logits = true})`.
  explicit BinaryCrossentropy(Options options = {});

  std::string class_name() const override { return "BinaryCrossentropy"; }
  /// {"name", "reduction", "from_logits", "label_smoothing", "axis": -1}.
  nlohmann::json get_config() const override;
  LossParams params() const override;
  /// Whether y_pred holds logits rather than probabilities.
  bool from_logits() const { return from_logits_; }
  /// The label smoothing factor: targets move this far toward the uniform distribution.
  double label_smoothing() const { return label_smoothing_; }

  /// From the "config" of Keras's serialized BinaryCrossentropy.
  static std::shared_ptr<BinaryCrossentropy> from_config(const nlohmann::json& config);

 private:
  bool from_logits_;
  double label_smoothing_;
};

}  // namespace strata::losses
