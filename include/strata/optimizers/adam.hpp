#pragma once
/// @file
/// Keras's Adam.
///
///     optimizers::Adam(1e-3)
///     optimizers::Adam(1e-3, {.beta_2 = 0.99, .amsgrad = true, .global_clipnorm = 1.0})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of Adam beyond its positional arguments, with Keras's defaults.
struct AdamOptions {
  /// Decay of the first-moment estimate, in [0, 1).
  double beta_1 = 0.9;  ///< decay of the first-moment estimate, in [0, 1)
  /// Decay of the second-moment estimate, in [0, 1).
  double beta_2 = 0.999;  ///< decay of the second-moment estimate, in [0, 1)
  /// Added to the denominator for numerical stability.
  double epsilon = 1e-7;  ///< Keras's "epsilon hat", added to sqrt(v)
  /// Divide by the running maximum of the second moment (AMSGrad).
  bool amsgrad = false;  ///< divide by the running maximum of v (slot "velocity_hat")
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
  std::string name = {};  ///< empty: "adam"

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

/// Slots per variable, in Keras's order: "momentum", "velocity" for every variable, then
/// "velocity_hat" for every variable when amsgrad.
class Adam : public Optimizer {
 public:
  /// Keras's constructor: the learning rate, then the options.
  explicit Adam(LearningRate learning_rate = 0.001, const AdamOptions& options = {});

  std::string class_name() const override { return "Adam"; }
  /// The beta_1 the optimizer was made with.
  double beta_1() const { return beta_1_; }
  /// The beta_2 the optimizer was made with.
  double beta_2() const { return beta_2_; }
  /// The epsilon the optimizer was made with.
  double epsilon() const { return epsilon_; }
  /// Whether amsgrad is on.
  bool amsgrad() const { return amsgrad_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  /// For AdamW: the same update under another default name.
  Adam(LearningRate learning_rate, const AdamOptions& options, const char* default_name);
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double beta_1_;
  double beta_2_;
  double epsilon_;
  bool amsgrad_;
};

}  // namespace strata::optimizers
