#pragma once
/// @class strata::optimizers::AdamW
/// Keras's AdamW: Adam with decoupled weight decay (w -= w * weight_decay * lr before each
/// update), weight_decay 0.004 by default.
///
///     optimizers::AdamW(1e-3)
///     optimizers::AdamW(1e-3, {.weight_decay = 0.01, .amsgrad = true})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/adam.hpp"

namespace strata::optimizers {

/// The options of AdamW beyond its positional arguments, with Keras's defaults.
struct AdamWOptions {
  std::optional<double> weight_decay = 0.004;  ///< required: AdamW rejects none
  /// Decay of the first-moment estimate, in [0, 1).
  double beta_1 = 0.9;
  /// Decay of the second-moment estimate, in [0, 1).
  double beta_2 = 0.999;
  /// Added to the denominator for numerical stability.
  double epsilon = 1e-7;
  /// Divide by the running maximum of the second moment (AMSGrad).
  bool amsgrad = false;
  /// @{
  /// Common to every optimizer: see OptimizerOptions (weight_decay is above).
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<std::int64_t> ema_overwrite_frequency = std::nullopt;
  std::optional<std::int64_t> gradient_accumulation_steps = std::nullopt;
  /// @}
  std::string name = {};  ///< empty: "adam_w", as Keras names it

  /// The same options as Adam's, whose update AdamW reuses.
  AdamOptions adam() const {
    return {beta_1,
            beta_2,
            epsilon,
            amsgrad,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            use_ema,
            ema_momentum,
            ema_overwrite_frequency,
            gradient_accumulation_steps,
            name};
  }
};

class AdamW : public Adam {
 public:
  /// Keras's constructor: the learning rate, then the options.
  explicit AdamW(LearningRate learning_rate = 0.001, const AdamWOptions& options = {});

  std::string class_name() const override { return "AdamW"; }
};

}  // namespace strata::optimizers
