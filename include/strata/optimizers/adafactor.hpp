#pragma once
/// @file
/// Keras's Adafactor: second moments kept factored (a row and a column average per matrix) for
/// variables of rank >= 2, updates clipped by their RMS and scaled by the variable's RMS.
///
///     optimizers::Adafactor(1e-3)
///     optimizers::Adafactor(1e-2, {.clip_threshold = 0.5})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Adafactor beyond its positional arguments, with Keras's defaults.
struct AdafactorOptions {
  double beta_2_decay = -0.8;   ///< the second-moment decay is 1 - t^beta_2_decay at update t
  double epsilon_1 = 1e-30;     ///< added to g^2
  double epsilon_2 = 1e-3;      ///< floor of the variable's RMS
  double clip_threshold = 1.0;  ///< bound of the update's RMS
  /// Kept for Keras's config: in Keras 3 the step is min(lr, 1 / sqrt(t)) either way.
  bool relative_step = true;
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
  std::string name = {};  ///< empty: "adafactor"

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

/// Slots in Keras's order, per variable: r and c, both named after the variable ("kernel"),
/// then "velocity". For rank >= 2, shape (..., R, C): r (..., R) and c (..., C); for rank < 2
/// they are unused scalars (integers in Keras, zero floats here).
class Adafactor : public Optimizer {
 public:
  /// Keras's constructor: the learning rate (a number or a schedule), then the options.
  explicit Adafactor(LearningRate learning_rate = 0.001, const AdafactorOptions& options = {});

  std::string class_name() const override { return "Adafactor"; }
  /// The beta_2_decay the optimizer was made with.
  double beta_2_decay() const { return o_.beta_2_decay; }
  /// The clip_threshold the optimizer was made with.
  double clip_threshold() const { return o_.clip_threshold; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  AdafactorOptions o_;
};

}  // namespace strata::optimizers
