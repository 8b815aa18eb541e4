#pragma once
/// MeanSquaredError: the mean over the last axis of (y_true - y_pred)^2 (Keras's keras.losses.MeanSquaredError).

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

struct MeanSquaredErrorOptions {
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "mean_squared_error";
};

class MeanSquaredError : public Loss {
 public:
  using Options = MeanSquaredErrorOptions;
  explicit MeanSquaredError(Options options = {});

  std::string class_name() const override { return "MeanSquaredError"; }
  LossParams params() const override;

  /// From the "config" of Keras's serialized MeanSquaredError: {"name", "reduction"}.
  static std::shared_ptr<MeanSquaredError> from_config(const nlohmann::json& config);
};

}  // namespace strata::losses
