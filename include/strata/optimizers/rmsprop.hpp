#pragma once
/// Keras's RMSprop (compile()'s default optimizer in Keras).
///
///     optimizers::RMSprop(1e-3)
///     optimizers::RMSprop(1e-3, {.momentum = 0.9, .centered = true})

#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

struct RMSpropOptions {
  double rho = 0.9;       ///< decay of the mean square, in [0, 1]
  double momentum = 0.0;  ///< in [0, 1]; > 0 adds the slot "momentum"
  double epsilon = 1e-7;
  bool centered = false;  ///< divide by the variance estimate (slot "average_gradient")
  // Common to every optimizer (see OptimizerOptions).
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};  ///< empty: "rm_sprop", as Keras names it

  OptimizerOptions common() const { return {weight_decay, clipnorm, clipvalue, global_clipnorm}; }
};

/// Slots in Keras's order: "velocity" for every variable, then "momentum" for every variable
/// (momentum > 0), then "average_gradient" for every variable (centered).
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(double learning_rate = 0.001, const RMSpropOptions& options = {});

  std::string class_name() const override { return "RMSprop"; }
  double rho() const { return rho_; }
  double momentum() const { return momentum_; }
  double epsilon() const { return epsilon_; }
  bool centered() const { return centered_; }
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
