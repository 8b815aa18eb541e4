#pragma once
/// @file
/// Keras's Adamax: Adam with the infinity norm in place of the second moment.
///
///     optimizers::Adamax(1e-3)
///     optimizers::Adamax(2e-3, {.beta_1 = 0.8})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Adamax beyond its positional arguments, with Keras's defaults.
struct AdamaxOptions {
  double beta_1 = 0.9;    ///< decay of the first-moment estimate, in [0, 1)
  double beta_2 = 0.999;  ///< decay of the infinity norm, in [0, 1)
  double epsilon = 1e-7;  ///< added to the norm
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
  std::string name = {};  ///< empty: "adamax"

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

/// Slots in Keras's order: "momentum" and "norm" per variable.
class Adamax : public Optimizer {
 public:
  /// Keras's constructor: the learning rate (a number or a schedule), then the options.
  explicit Adamax(LearningRate learning_rate = 0.001, const AdamaxOptions& options = {});

  std::string class_name() const override { return "Adamax"; }
  /// The beta_1 the optimizer was made with.
  double beta_1() const { return beta_1_; }
  /// The beta_2 the optimizer was made with.
  double beta_2() const { return beta_2_; }
  /// The epsilon the optimizer was made with.
  double epsilon() const { return epsilon_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double beta_1_;
  double beta_2_;
  double epsilon_;
};

}  // namespace strata::optimizers
