#pragma once
/// @file
/// Keras's RMSprop (compile()'s default optimizer in Keras).
///
///     optimizers::RMSprop(1e-3)
///     optimizers::RMSprop(1e-3, {.momentum = 0.9, .centered = true})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of RMSprop beyond its positional arguments, with Keras's defaults.
struct RMSpropOptions {
  double rho = 0.9;       ///< decay of the mean square, in [0, 1]
  double momentum = 0.0;  ///< in [0, 1]; > 0 adds the slot "momentum"
  /// Added to the denominator for numerical stability.
  double epsilon = 1e-7;
  bool centered = false;  ///< divide by the variance estimate (slot "average_gradient")
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
  std::string name = {};  ///< empty: "rm_sprop", as Keras names it

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

/// Slots in Keras's order: "velocity" for every variable, then "momentum" for every variable
/// (momentum > 0), then "average_gradient" for every variable (centered).
class RMSprop : public Optimizer {
 public:
  /// Keras's constructor: the learning rate, then the options.
  explicit RMSprop(LearningRate learning_rate = 0.001, const RMSpropOptions& options = {});

  std::string class_name() const override { return "RMSprop"; }
  /// The rho the optimizer was made with.
  double rho() const { return rho_; }
  /// The momentum the optimizer was made with.
  double momentum() const { return momentum_; }
  /// The epsilon the optimizer was made with.
  double epsilon() const { return epsilon_; }
  /// Whether centered is on.
  bool centered() const { return centered_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double rho_;
  double momentum_;
  double epsilon_;
  bool centered_;
};

}  // namespace strata::optimizers
