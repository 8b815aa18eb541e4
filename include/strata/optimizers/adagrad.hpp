#pragma once
/// Keras's Adagrad.
///
///     optimizers::Adagrad(0.01)
///     optimizers::Adagrad(0.01, {.initial_accumulator_value = 0.0, .epsilon = 1e-6})

#include <optional>
#include <string>

#include "strata/optimizers/optimizer.hpp"

namespace strata::optimizers {

struct AdagradOptions {
  double initial_accumulator_value = 0.1;  ///< starting value of the slot "accumulator", >= 0
  double epsilon = 1e-7;
  // Common to every optimizer (see OptimizerOptions).
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
  std::string name = {};  ///< empty: "adagrad"

  OptimizerOptions common() const { return {weight_decay, clipnorm, clipvalue, global_clipnorm}; }
};

/// accumulator += g^2; w -= lr * g / sqrt(accumulator + epsilon).
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(double learning_rate = 0.001, const AdagradOptions& options = {});

  std::string class_name() const override { return "Adagrad"; }
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  double epsilon() const { return epsilon_; }
  nlohmann::json get_config() const override;

 protected:
  void build_slots(const Variable& variable) override;
  void update_step(std::size_t index, Variable& variable, float learning_rate) override;

 private:
  double initial_accumulator_value_;
  double epsilon_;
};

}  // namespace strata::optimizers
