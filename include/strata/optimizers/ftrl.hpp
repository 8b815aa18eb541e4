#pragma once
/// @file
/// Keras's Ftrl (Follow The Regularized Leader, McMahan et al.), with its L1, L2 and L2
/// shrinkage regularization.
///
///     optimizers::Ftrl(0.1)
///     optimizers::Ftrl(0.1, {.l1_regularization_strength = 0.01})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Ftrl beyond its positional arguments, with Keras's defaults.
struct FtrlOptions {
  double learning_rate_power = -0.5;                  ///< how the step shrinks as gradients accumulate, <= 0
  double initial_accumulator_value = 0.1;             ///< the accumulators' start, >= 0
  double l1_regularization_strength = 0.0;            ///< >= 0
  double l2_regularization_strength = 0.0;            ///< >= 0
  double l2_shrinkage_regularization_strength = 0.0;  ///< >= 0; a magnitude penalty on the gradient
  double beta = 0.0;                                  ///< Keras's beta, added to L2 as beta / (2 lr)
  /// @{
  /// Common to every optimizer: see OptimizerOptions.
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  bool use_ema = false;
  double ema_momentum = 0.99;
  std::optional<std::int64_t> ema_overwrite_frequency = std::nullopt;
  std::optional<std::int64_t> gradient_accumulation_steps = std::nullopt;
  /// @}
  std::string name = {};  ///< empty: "ftrl"

  /// The options every optimizer shares, as the base class takes them.
  OptimizerOptions common() const {
    return {weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            use_ema,
            ema_momentum,
            ema_overwrite_frequency,
            gradient_accumulation_steps};
  }
};

/// Slots in Keras's order: "accumulator" (starting at initial_accumulator_value) and "linear"
/// per variable.
class Ftrl : public Optimizer {
 public:
  /// Keras's constructor: the learning rate (a number or a schedule), then the options.
  explicit Ftrl(LearningRate learning_rate = 0.001, const FtrlOptions& options = {});

  std::string class_name() const override { return "Ftrl"; }
  /// The learning_rate_power the optimizer was made with.
  double learning_rate_power() const { return o_.learning_rate_power; }
  /// The initial_accumulator_value the optimizer was made with.
  double initial_accumulator_value() const { return o_.initial_accumulator_value; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  FtrlOptions o_;
};

}  // namespace strata::optimizers
