#pragma once
/// Optimizer base: Keras's common arguments (clipping, weight decay, a learning rate that can
/// change between epochs), slots created on first use, one fused backend update per variable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/variable.hpp"

namespace strata {

/// Keras's arguments shared by every optimizer. At most one of the three clipping options may be set.
struct OptimizerOptions {
  std::optional<double> weight_decay;     ///< w -= w * weight_decay * lr before each update
  std::optional<double> clipnorm;         ///< clip each gradient to this L2 norm
  std::optional<double> clipvalue;        ///< clip each gradient element to [-v, v]
  std::optional<double> global_clipnorm;  ///< clip all gradients together to this L2 norm
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// "Adam".
  virtual std::string class_name() const = 0;
  /// "adam" unless given.
  const std::string& name() const { return name_; }

  double learning_rate() const { return learning_rate_; }
  /// Takes effect at the next apply(); fit's callbacks use it between epochs.
  void set_learning_rate(double learning_rate);
  /// Number of apply() calls so far (Keras's `iterations`).
  std::int64_t iterations() const { return iterations_; }

  /// One training step: creates the slots on first use, then clips the gradients, applies
  /// weight decay and updates every variable from its `grad`.
  void apply(const std::vector<Variable*>& variables);
  /// The slot variables (momenta, velocities ...) in Keras's order, for summaries and saving.
  std::vector<const Variable*> variables() const;
  bool built() const { return built_; }

  virtual nlohmann::json get_config() const;

  /// "adam", "sgd", "rmsprop", "adagrad", "adamw".
  static std::shared_ptr<Optimizer> from_name(std::string_view name);
  static std::shared_ptr<Optimizer> from_config(const nlohmann::json& config);
  static std::vector<std::string> names();

 protected:
  Optimizer(std::string name, double learning_rate, const OptimizerOptions& options);

  /// Creates the slots of `variable` (called once per variable, in order) with add_slot.
  virtual void build_slots(const Variable& variable) = 0;
  /// Updates variables[index] from its (clipped) gradient, iterations() updates already done.
  virtual void update_step(std::size_t index, Variable& variable, float learning_rate) = 0;
  /// A zero-filled (or `initial`-filled) tensor shaped like `like`, named "<path>_<slot>".
  Variable& add_slot(const Variable& like, std::string_view slot, float initial = 0.f);
  /// The slots of variables[index], in the order build_slots added them.
  std::vector<Variable*> slots(std::size_t index);

  OptimizerOptions options_;

 private:
  std::string name_;
  double learning_rate_;
  std::int64_t iterations_ = 0;
  bool built_ = false;
  std::vector<std::vector<std::shared_ptr<Variable>>> slots_;
};

}  // namespace strata
