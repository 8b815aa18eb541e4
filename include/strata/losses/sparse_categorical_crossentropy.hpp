#pragma once
/// @class strata::losses::SparseCategoricalCrossentropy
/// SparseCategoricalCrossentropy: -log p[label], labels given as class indices (stored as
/// floats) of shape (n,) or (n, 1) against y_pred (n, num_classes) (Keras's
/// keras.losses.SparseCategoricalCrossentropy). Keras 3 has no label smoothing here.

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

/// The options of SparseCategoricalCrossentropy beyond its positional arguments, with Keras's defaults.
struct SparseCategoricalCrossentropyOptions {
  bool from_logits = false;  ///< y_pred holds logits rather than probabilities
  /// How per-sample losses combine; Keras's default sums and divides by the batch size.
  Reduction reduction = Reduction::SumOverBatchSize;
  /// The name the loss reports in logs.
  std::string name = "sparse_categorical_crossentropy";
};

class SparseCategoricalCrossentropy : public Loss {
 public:
  /// The options type, also reachable as SparseCategoricalCrossentropy::Options.
  using Options = SparseCategoricalCrossentropyOptions;
  /// `SparseCategoricalCrossentropy()`, `SparseCategoricalCrossentropy({.from_logits = true})`.
  explicit SparseCategoricalCrossentropy(Options options = {});

  std::string class_name() const override { return "SparseCategoricalCrossentropy"; }
  /// {"name", "reduction", "from_logits", "ignore_class": null}.
  nlohmann::json get_config() const override;
  LossParams params() const override;
  /// Whether y_pred holds logits rather than probabilities.
  bool from_logits() const { return from_logits_; }

  /// From the "config" of Keras's serialized SparseCategoricalCrossentropy ("ignore_class" must
  /// be null: Strata does not support it yet).
  static std::shared_ptr<SparseCategoricalCrossentropy> from_config(const nlohmann::json& config);

 private:
  bool from_logits_;
};

}  // namespace strata::losses
