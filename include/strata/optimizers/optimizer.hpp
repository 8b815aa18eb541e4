#pragma once
/// @class strata::Optimizer
/// Optimizer base: Keras's common arguments (clipping, weight decay, a learning rate that can
/// change between epochs or follow a schedule, weight averaging, gradient accumulation), slots
/// created on first use, one fused backend update per variable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/optimizers/learning_rate.hpp"
#include "strata/variable.hpp"

namespace strata {

/// Keras's arguments shared by every optimizer. At most one of the three clipping options may be set.
struct OptimizerOptions {
  std::optional<double> weight_decay = std::nullopt;     ///< w -= w * weight_decay * lr before each update
  std::optional<double> clipnorm = std::nullopt;         ///< clip each gradient to this L2 norm
  std::optional<double> clipvalue = std::nullopt;        ///< clip each gradient element to [-v, v]
  std::optional<double> global_clipnorm = std::nullopt;  ///< clip all gradients together to this L2 norm
  /// Keep an exponential moving average of every trained variable (optimizer variables
  /// "<path>_average"): average = m average + (1 - m) variable after each step, m = 0 on the
  /// first step (iterations() == 0) and ema_momentum after.
  bool use_ema = false;
  double ema_momentum = 0.99;  ///< in [0, 1]; used with use_ema
  /// With use_ema: every this many steps (when (iterations() + 1) % N == 0, checked after each
  /// apply), the variables are overwritten with their averages. None: only
  /// finalize_variable_values does.
  std::optional<std::int64_t> ema_overwrite_frequency = std::nullopt;
  /// >= 2: sum the gradients of this many apply() calls (optimizer variables
  /// "<path>_gradient_accumulator") and update with their mean on the last one; the calls in
  /// between change nothing else. iterations() counts updates; a schedule sees every call.
  std::optional<std::int64_t> gradient_accumulation_steps = std::nullopt;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// "Adam".
  virtual std::string class_name() const = 0;
  /// "adam" unless given.
  const std::string& name() const { return name_; }

  /// The learning rate the next step uses: the fixed rate, or the schedule's value at
  /// apply_count() (Keras's `optimizer.learning_rate`).
  double learning_rate() const;
  /// Takes effect at the next apply(); fit's callbacks use it between epochs. Throws ValueError
  /// (Keras's TypeError, with its words) when the learning rate is a schedule.
  void set_learning_rate(double learning_rate);
  /// The schedule driving the learning rate, or null when it is a fixed rate.
  const std::shared_ptr<const optimizers::schedules::LearningRateSchedule>& learning_rate_schedule() const {
    return schedule_;
  }
  /// Keras's `optimizer.iterations`: the number of updates applied, that is apply_count()
  /// divided (rounding down) by gradient_accumulation_steps when it is set.
  std::int64_t iterations() const;
  /// Number of apply() calls so far: Keras's `iteration` variable, which is what saving
  /// writes and set_iterations restores (equal to iterations() without gradient accumulation).
  std::int64_t apply_count() const { return iterations_; }

  /// One training step: creates the slots on first use, then clips the gradients, applies
  /// weight decay and updates every variable from its `grad` (with gradient accumulation, only
  /// every N-th call updates, from the mean gradient; the others add to the accumulators), then
  /// updates the moving averages (use_ema) and overwrites the variables with them when due.
  /// Clipping rewrites each `grad` in place (no extra buffer); the gradients are the step's
  /// scratch. Later calls must pass variables of the same number and shapes, in the same order.
  void apply(const std::vector<Variable*>& variables);
  /// Keras's `finalize_variable_values(var_list)`, which Keras's fit calls after the last
  /// epoch: with use_ema, copies each moving average into its variable (`variables` as apply
  /// received them; ValueError when their number differs from the averages'); otherwise does
  /// nothing.
  void finalize_variable_values(const std::vector<Variable*>& variables);
  /// The optimizer's variables after `iteration` and `learning_rate`, in Keras's order, for
  /// summaries and saving: the moving averages (use_ema), the gradient accumulators, then each
  /// optimizer's own slots (momenta, velocities ...).
  std::vector<const Variable*> variables() const;
  /// Whether the slot variables exist (after the first apply).
  bool built() const { return built_; }
  /// Creates the slot variables for `variables` (a model's trainable weights, in order) before
  /// the first apply, as Keras's optimizer.build: loading a saved optimizer state needs them.
  /// Does nothing when the slots exist for variables of the same shapes.
  void build(const std::vector<Variable*>& variables);
  /// Sets apply_count(), for restoring a saved optimizer (Keras's `iteration` variable).
  void set_iterations(std::int64_t iterations);
  /// The common options this optimizer was made with (Keras's base arguments).
  const OptimizerOptions& options() const { return options_; }

  /// Keras's config: name, learning_rate, the clipping and weight decay options, and each subclass's own.
  virtual nlohmann::json get_config() const;

  /// "adam", "sgd", "rmsprop", "adagrad", "adamw", "nadam", "adamax", "adadelta", "lion", "ftrl",
  /// "adafactor".
  static std::shared_ptr<Optimizer> from_name(std::string_view name);
  /// Rebuilds an optimizer from Keras's serialized form {"class_name", "config"}.
  static std::shared_ptr<Optimizer> from_config(const nlohmann::json& config);
  /// Every name from_name accepts.
  static std::vector<std::string> names();

 protected:
  /// For subclasses: the default name, the learning rate and the common options.
  Optimizer(std::string name, optimizers::LearningRate learning_rate, const OptimizerOptions& options);

  /// Creates the slots of `variable` (called once per variable, in order) with add_slot.
  virtual void build_slots(const Variable& variable) = 0;
  /// Creates the variables that belong to no one variable (Nadam's u_product) with
  /// add_variable, after every variable's slots; nothing by default.
  virtual void build_globals() {}
  /// Runs once per update before the variables' update_step calls (Nadam's u_product).
  virtual void before_update_steps() {}
  /// Updates variables[index] from its (clipped) gradient, iterations() updates already done.
  virtual void update_step(std::size_t index, Variable& variable, float learning_rate) = 0;
  /// A zero-filled (or `initial`-filled) tensor shaped like `like`, named "<path>_<slot>"
  /// ("dense/kernel" -> "dense_kernel_momentum", path "<optimizer name>/dense_kernel_momentum").
  /// `group` orders variables() as Keras creates its slots: every variable's group-0 slots
  /// (interleaved per variable, in add order), then every variable's group-1 slots, and so on.
  Variable& add_slot(const Variable& like, std::string_view slot, float initial = 0.f, int group = 0);
  /// A slot of the variable being built with its own shape and name ("<optimizer name>/<name>"),
  /// as Keras's add_variable (Adafactor's factored moments, named after the variable).
  Variable& add_slot_variable(const Shape& shape, std::string_view name, float initial = 0.f, int group = 0);
  /// A variable of the optimizer as a whole, from build_globals: "<optimizer name>/<name>",
  /// after every slot in variables().
  Variable& add_variable(const Shape& shape, std::string_view name, float initial = 0.f);
  /// The variables add_variable made, in order.
  Variable& global_variable(std::size_t k) { return *globals_[k]; }
  /// The slots of variables[index], in the order build_slots added them.
  std::vector<Variable*> slots(std::size_t index);
  /// slots(index)[k] without building a vector (for update_step, which runs every step).
  Variable& slot(std::size_t index, std::size_t k);

  /// The common options this optimizer was made with.
  OptimizerOptions options_;

 private:
  std::string name_;
  double learning_rate_;
  std::shared_ptr<const optimizers::schedules::LearningRateSchedule> schedule_;
  std::int64_t iterations_ = 0;
  bool built_ = false;
  std::vector<std::shared_ptr<Variable>> averages_;      ///< use_ema, one per variable
  std::vector<std::shared_ptr<Variable>> accumulators_;  ///< gradient accumulation, one per variable
  std::vector<std::shared_ptr<Variable>> globals_;       ///< build_globals's
  std::vector<std::vector<std::shared_ptr<Variable>>> slots_;
  std::vector<std::vector<int>> slot_groups_;  ///< parallel to slots_
  std::size_t building_ = 0;                   ///< the variable build_slots is creating slots for
  std::vector<Shape> built_shapes_;            ///< shapes of the variables the slots were built for

  bool building_globals_ = false;
  Backend* building_backend_ = nullptr;  ///< where the variables being built live

  void clip_gradients(const std::vector<Variable*>& variables);
  void update(const std::vector<Variable*>& variables, float learning_rate);
  void update_averages(const std::vector<Variable*>& variables);
  std::shared_ptr<Variable> make_variable(Backend& backend, const Shape& shape, std::string name, float initial) const;
};

}  // namespace strata
