#pragma once
/// Keras's AdamW: Adam with decoupled weight decay (w -= w * weight_decay * lr before each
/// update), weight_decay 0.004 by default.
///
///     optimizers::AdamW(1e-3)
///     optimizers::AdamW(1e-3, {.weight_decay = 0.01, .amsgrad = true})

#include <optional>
#include <string>

#include "strata/optimizers/adam.hpp"

namespace strata::optimizers {

struct AdamWOptions {
  std::optional<double> weight_decay = 0.004;  ///< required: AdamW rejects none
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  bool amsgrad = false;
  // Common to every optimizer (see OptimizerOptions; weight_decay is above).
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};  ///< empty: "adam_w", as Keras names it

  AdamOptions adam() const {
    return {beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue, global_clipnorm,
            name};
  }
};

class AdamW : public Adam {
 public:
  explicit AdamW(double learning_rate = 0.001, const AdamWOptions& options = {});

  std::string class_name() const override { return "AdamW"; }
};

}  // namespace strata::optimizers
