#pragma once
/// MeanAbsoluteError: the mean over the last axis of |y_true - y_pred| (Keras's keras.losses.MeanAbsoluteError).

#include <memory>
#include <string>

#include "strata/losses/loss.hpp"

namespace strata::losses {

struct MeanAbsoluteErrorOptions {
  Reduction reduction = Reduction::SumOverBatchSize;
  std::string name = "mean_absolute_error";
};

class MeanAbsoluteError : public Loss {
 public:
  using Options = MeanAbsoluteErrorOptions;
  explicit MeanAbsoluteError(Options options = {});

  std::string class_name() const override { return "MeanAbsoluteError"; }
  LossParams params() const override;

  /// From the "config" of Keras's serialized MeanAbsoluteError: {"name", "reduction"}.
  static std::shared_ptr<MeanAbsoluteError> from_config(const nlohmann::json& config);
};

}  // namespace strata::losses
