#pragma once
/// @file
/// Keras's Adagrad.
///
///     optimizers::Adagrad(0.01)
///     optimizers::Adagrad(0.01, {.initial_accumulator_value = 0.0, .epsilon = 1e-6})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Adagrad beyond its positional arguments, with Keras's defaults.
struct AdagradOptions {
  double initial_accumulator_value = 0.1;  ///< starting value of the slot "accumulator", >= 0
  /// Added to the denominator for numerical stability.
  double epsilon = 1e-7;
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
  std::string name = {};  ///< empty: "adagrad"

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

/// accumulator += g^2; w -= lr * g / sqrt(accumulator + epsilon).
class Adagrad : public Optimizer {
 public:
  /// Keras's constructor: the learning rate, then the options.
  explicit Adagrad(LearningRate learning_rate = 0.001, const AdagradOptions& options = {});

  std::string class_name() const override { return "Adagrad"; }
  /// The initial_accumulator_value the optimizer was made with.
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  /// The epsilon the optimizer was made with.
  double epsilon() const { return epsilon_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double initial_accumulator_value_;
  double epsilon_;
};

}  // namespace strata::optimizers
