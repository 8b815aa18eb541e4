#pragma once
/// @class strata::losses::MeanSquaredError
/// MeanSquaredError: the mean over the last axis of (y_true - y_pred)^2 (Keras's keras.losses.MeanSquaredError).

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

/// The options of MeanSquaredError beyond its positional arguments, with Keras's defaults.
struct MeanSquaredErrorOptions {
  /// How per-sample losses combine; Keras's default sums and divides by the batch size.
  Reduction reduction = Reduction::SumOverBatchSize;
  /// The name the loss reports in logs.
  std::string name = "mean_squared_error";
};

class MeanSquaredError : public Loss {
 public:
  /// The options type, also reachable as MeanSquaredError::Options.
  using Options = MeanSquaredErrorOptions;
  /// Makes the loss from its options (see MeanSquaredErrorOptions).
  explicit MeanSquaredError(Options options = {});

  std::string class_name() const override { return "MeanSquaredError"; }
  LossParams params() const override;

  /// From the "config" of Keras's serialized MeanSquaredError: {"name", "reduction"}.
  static std::shared_ptr<MeanSquaredError> from_config(const nlohmann::json& config);
};

}  // namespace strata::losses
