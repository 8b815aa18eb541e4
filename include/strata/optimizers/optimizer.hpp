#pragma once
/// @class strata::Optimizer
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
  std::optional<double> weight_decay = std::nullopt;     ///< w -= w * weight_decay * lr before each update
  std::optional<double> clipnorm = std::nullopt;         ///< clip each gradient to this L2 norm
  std::optional<double> clipvalue = std::nullopt;        ///< clip each gradient element to [-v, v]
  std::optional<double> global_clipnorm = std::nullopt;  ///< clip all gradients together to this L2 norm
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// "Adam".
  virtual std::string class_name() const = 0;
  /// "adam" unless given.
  const std::string& name() const { return name_; }

  /// The learning rate the next step uses.
  double learning_rate() const { return learning_rate_; }
  /// Takes effect at the next apply(); fit's callbacks use it between epochs.
  void set_learning_rate(double learning_rate);
  /// Number of apply() calls so far (Keras's `iterations`).
  std::int64_t iterations() const { return iterations_; }

  /// One training step: creates the slots on first use, then clips the gradients, applies
  /// weight decay and updates every variable from its `grad`.
  /// Clipping rewrites each `grad` in place (no extra buffer); the gradients are the step's
  /// scratch. Later calls must pass variables of the same number and shapes, in the same order.
  void apply(const std::vector<Variable*>& variables);
  /// The slot variables (momenta, velocities ...) in Keras's order, for summaries and saving.
  std::vector<const Variable*> variables() const;
  /// Whether the slot variables exist (after the first apply).
  bool built() const { return built_; }
  /// Creates the slot variables for `variables` (a model's trainable weights, in order) before
  /// the first apply, as Keras's optimizer.build: loading a saved optimizer state needs them.
  /// Does nothing when the slots exist for variables of the same shapes.
  void build(const std::vector<Variable*>& variables);
  /// Sets the step count, for restoring a saved optimizer (Keras's `iterations` variable).
  void set_iterations(std::int64_t iterations);

  /// Keras's config: name, learning_rate, the clipping and weight decay options, and each subclass's own.
  virtual nlohmann::json get_config() const;

  /// "adam", "sgd", "rmsprop", "adagrad", "adamw".
  static std::shared_ptr<Optimizer> from_name(std::string_view name);
  /// Rebuilds an optimizer from Keras's serialized form {"class_name", "config"}.
  static std::shared_ptr<Optimizer> from_config(const nlohmann::json& config);
  /// Every name from_name accepts.
  static std::vector<std::string> names();

 protected:
  /// For subclasses: the default name, the learning rate and the common options.
  Optimizer(std::string name, double learning_rate, const OptimizerOptions& options);

  /// Creates the slots of `variable` (called once per variable, in order) with add_slot.
  virtual void build_slots(const Variable& variable) = 0;
  /// Updates variables[index] from its (clipped) gradient, iterations() updates already done.
  virtual void update_step(std::size_t index, Variable& variable, float learning_rate) = 0;
  /// A zero-filled (or `initial`-filled) tensor shaped like `like`, named "<path>_<slot>"
  /// ("dense/kernel" -> "dense_kernel_momentum", path "<optimizer name>/dense_kernel_momentum").
  /// `group` orders variables() as Keras creates its slots: every variable's group-0 slots
  /// (interleaved per variable, in add order), then every variable's group-1 slots, and so on.
  Variable& add_slot(const Variable& like, std::string_view slot, float initial = 0.f, int group = 0);
  /// The slots of variables[index], in the order build_slots added them.
  std::vector<Variable*> slots(std::size_t index);
  /// slots(index)[k] without building a vector (for update_step, which runs every step).
  Variable& slot(std::size_t index, std::size_t k);

  /// The common options this optimizer was made with.
  OptimizerOptions options_;

 private:
  std::string name_;
  double learning_rate_;
  std::int64_t iterations_ = 0;
  bool built_ = false;
  std::vector<std::vector<std::shared_ptr<Variable>>> slots_;
  std::vector<std::vector<int>> slot_groups_;  ///< parallel to slots_
  std::size_t building_ = 0;                   ///< the variable build_slots is creating slots for
  std::vector<Shape> built_shapes_;            ///< shapes of the variables the slots were built for

  void clip_gradients(const std::vector<Variable*>& variables);
};

}  // namespace strata
