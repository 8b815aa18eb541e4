#pragma once
/// @class strata::losses::MeanAbsoluteError
/// MeanAbsoluteError: the mean over the last axis of |y_true - y_pred| (Keras's keras.losses.MeanAbsoluteError).

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

/// The options of MeanAbsoluteError beyond its positional arguments, with Keras's defaults.
struct MeanAbsoluteErrorOptions {
  /// How per-sample losses combine; Keras's default sums and divides by the batch size.
  Reduction reduction = Reduction::SumOverBatchSize;
  /// The name the loss reports in logs.
  std::string name = "mean_absolute_error";
};

class MeanAbsoluteError : public Loss {
 public:
  /// The options type, also reachable as MeanAbsoluteError::Options.
  using Options = MeanAbsoluteErrorOptions;
  /// Makes the loss from its options (see MeanAbsoluteErrorOptions).
  explicit MeanAbsoluteError(Options options = {});

  std::string class_name() const override { return "MeanAbsoluteError"; }
  LossParams params() const override;

  /// From the "config" of Keras's serialized MeanAbsoluteError: {"name", "reduction"}.
  static std::shared_ptr<MeanAbsoluteError> from_config(const nlohmann::json& config);
};

}  // namespace strata::losses
