#pragma once
/// @file
/// Weight constraints with Keras's names, formulas, defaults and configs (keras.constraints):
/// MaxNorm, NonNeg, UnitNorm, MinMaxNorm. A layer takes them as `kernel_constraint` and
/// `bias_constraint` (an object or Keras's string name); the optimizer projects each
/// constrained weight after every update, as Keras's does (`variable.assign(constraint(variable))`).
///
///     Dense(64, "relu", {.kernel_constraint = constraints::MaxNorm(3)});
///     Conv2D(32, 3, "relu", {.kernel_constraint = constraints::MaxNorm(2, {0, 1, 2})});

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// The base of every constraint: a projection of a weight, in place, on its backend.
class Constraint {
 public:
  virtual ~Constraint() = default;
  /// "MaxNorm": Keras's class name, the key of its configs.
  virtual std::string class_name() const = 0;
  /// The constructor arguments under Keras's keys ({} for NonNeg).
  virtual nlohmann::json get_config() const = 0;
  /// Replaces w with its projection (on w's backend; nothing is read back to the host).
  virtual void apply(Tensor& w) const = 0;
  /// ValueError when the constraint cannot take a weight of this shape (an axis out of range).
  virtual void check_shape(const Shape& shape) const;

  /// Keras's string names: "max_norm", "non_neg", "unit_norm", "min_max_norm" and the class
  /// names, each with its defaults; ValueError "Could not interpret constraint identifier" else.
  static std::shared_ptr<Constraint> from_name(std::string_view name);
  /// Keras's serialized object ({"module", "class_name", "config", "registered_name"}), a
  /// {"class_name", "config"} pair or a string name.
  static std::shared_ptr<Constraint> from_config(const nlohmann::json& config);
  /// Every name from_name accepts.
  static std::vector<std::string> names();
};

namespace constraints {

/// Keras's serialized object: {"module": "keras.constraints", "class_name", "config",
/// "registered_name": null}.
nlohmann::json serialize(const Constraint& constraint);

/// The axes a norm is taken over: Keras's `axis`, an int or a list of ints (negative ones count
/// from the end); empty: every axis (Keras's None).
struct NormAxes {
  /// The axes as given.
  std::vector<int> axes = {0};
  /// Whether Keras's config wrote a single int (true) or a list.
  bool scalar = true;
  /// One axis: `MaxNorm(2, 0)`.
  NormAxes(int axis) : axes{axis} {}  // NOLINT(google-explicit-constructor): Keras's int form
  /// Several: `MaxNorm(2, {0, 1, 2})`.
  NormAxes(std::initializer_list<int> list) : axes(list), scalar(false) {}
  /// Several, from a vector.
  explicit NormAxes(std::vector<int> list) : axes(std::move(list)), scalar(false) {}
};

/// w * clip(n, 0, max_value) / (1e-7 + n), n the L2 norm of w over `axis` (kept per position of
/// the other axes).
class MaxNorm : public Constraint {
 public:
  /// Keras's arguments and defaults.
  explicit MaxNorm(double max_value = 2, NormAxes axis = 0);
  std::string class_name() const override { return "MaxNorm"; }
  nlohmann::json get_config() const override;
  void apply(Tensor& w) const override;
  void check_shape(const Shape& shape) const override;

 private:
  double max_value_;
  NormAxes axis_;
};

/// max(w, 0): negative weights become 0 (NaN stays NaN).
class NonNeg : public Constraint {
 public:
  std::string class_name() const override { return "NonNeg"; }
  nlohmann::json get_config() const override;
  void apply(Tensor& w) const override;
};

/// w / (1e-7 + n), n the L2 norm of w over `axis`.
class UnitNorm : public Constraint {
 public:
  /// Keras's argument and default.
  explicit UnitNorm(NormAxes axis = 0);
  std::string class_name() const override { return "UnitNorm"; }
  nlohmann::json get_config() const override;
  void apply(Tensor& w) const override;
  void check_shape(const Shape& shape) const override;

 private:
  NormAxes axis_;
};

/// w * (rate clip(n, min_value, max_value) + (1 - rate) n) / (1e-7 + n), n the L2 norm of w
/// over `axis`: rate 1 enforces the bounds at once, a smaller rate moves towards them.
class MinMaxNorm : public Constraint {
 public:
  /// Keras's arguments and defaults.
  explicit MinMaxNorm(double min_value = 0.0, double max_value = 1.0, double rate = 1.0, NormAxes axis = 0);
  std::string class_name() const override { return "MinMaxNorm"; }
  nlohmann::json get_config() const override;
  void apply(Tensor& w) const override;
  void check_shape(const Shape& shape) const override;

 private:
  double min_value_, max_value_, rate_;
  NormAxes axis_;
};

}  // namespace constraints
}  // namespace strata
