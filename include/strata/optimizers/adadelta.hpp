#pragma once
/// @file
/// Keras's Adadelta: per-element steps from running averages of squared gradients and updates.
/// Keras's default learning rate is 0.001; the original paper's method uses 1.0.
///
///     optimizers::Adadelta(1.0)
///     optimizers::Adadelta(1.0, {.rho = 0.9})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Adadelta beyond its positional arguments, with Keras's defaults.
struct AdadeltaOptions {
  double rho = 0.95;      ///< decay of both running averages
  double epsilon = 1e-7;  ///< added under the square roots
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
  std::string name = {};  ///< empty: "adadelta"

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

/// Slots in Keras's order: "accumulated_grad" and "accumulated_delta_var" per variable.
class Adadelta : public Optimizer {
 public:
  /// Keras's constructor: the learning rate (a number or a schedule), then the options.
  explicit Adadelta(LearningRate learning_rate = 0.001, const AdadeltaOptions& options = {});

  std::string class_name() const override { return "Adadelta"; }
  /// The rho the optimizer was made with.
  double rho() const { return rho_; }
  /// The epsilon the optimizer was made with.
  double epsilon() const { return epsilon_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double rho_;
  double epsilon_;
};

}  // namespace strata::optimizers
