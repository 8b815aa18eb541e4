#pragma once
/// @file
/// Keras's SGD: gradient descent with optional (Nesterov) momentum.
///
///     optimizers::SGD(0.1)
///     optimizers::SGD(0.05, {.momentum = 0.9, .nesterov = true, .clipnorm = 1.0})

#include <cstdint>
#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

/// The options of SGD beyond its positional arguments, with Keras's defaults.
struct SGDOptions {
  double momentum = 0.0;  ///< in [0, 1]; 0 is plain gradient descent (no slot is created)
  /// Nesterov momentum instead of the plain kind.
  bool nesterov = false;
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
  std::string name = {};  ///< empty: "sgd"

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

/// velocity = momentum * velocity - lr * g; w += velocity (Nesterov: w += momentum * velocity
/// - lr * g); w -= lr * g when momentum is 0. One slot per variable, "momentum", when momentum != 0.
class SGD : public Optimizer {
 public:
  /// Keras's constructor: the learning rate, then the options.
  explicit SGD(LearningRate learning_rate = 0.01, const SGDOptions& options = {});

  std::string class_name() const override { return "SGD"; }
  /// The momentum the optimizer was made with.
  double momentum() const { return momentum_; }
  /// Whether nesterov is on.
  bool nesterov() const { return nesterov_; }
  /// Keras's config: the common keys and this optimizer's own arguments.
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double momentum_;
  bool nesterov_;
};

}  // namespace strata::optimizers
