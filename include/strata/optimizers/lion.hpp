#pragma once
/// @file
/// Keras's Lion (evolved sign momentum): every element moves by exactly lr per step, in the
/// direction of an interpolation of momentum and gradient.
///
///     optimizers::Lion(1e-4)
///     optimizers::Lion(1e-4, {.beta_1 = 0.95, .weight_decay = 0.01})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Lion beyond its positional arguments, with Keras's defaults.
struct LionOptions {
  double beta_1 = 0.9;   ///< weight of the momentum in the step's sign, in (0, 1]
  double beta_2 = 0.99;  ///< decay of the momentum
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
  std::string name = {};  ///< empty: "lion"

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

/// Slots in Keras's order: "momentum" per variable.
class Lion : public Optimizer {
 public:
  /// Keras's constructor: the learning rate (a number or a schedule), then the options.
  explicit Lion(LearningRate learning_rate = 0.001, const LionOptions& options = {});

  std::string class_name() const override { return "Lion"; }
  /// The beta_1 the optimizer was made with.
  double beta_1() const { return beta_1_; }
  /// The beta_2 the optimizer was made with.
  double beta_2() const { return beta_2_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double beta_1_;
  double beta_2_;
};

}  // namespace strata::optimizers
