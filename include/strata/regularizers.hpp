#pragma once
/// @file
/// Weight and activity regularizers with Keras's names, formulas, defaults and configs
/// (keras.regularizers): L1, L2, L1L2, OrthogonalRegularizer. A layer takes them as
/// `kernel_regularizer`, `bias_regularizer` and `activity_regularizer` (an object or Keras's
/// string name); the penalties join the loss the model trains on and logs, as Keras's
/// `model.losses` do: a weight's penalty on its current value, an activity regularizer's on the
/// layer's output divided by the batch size.
///
///     Dense(64, "relu", {.kernel_regularizer = regularizers::L2(1e-4), .activity_regularizer = "l1"});

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// The base of every regularizer: a penalty on a tensor, computed on the tensor's backend.
class Regularizer {
 public:
  virtual ~Regularizer() = default;
  /// "L2": Keras's class name, the key of its configs.
  virtual std::string class_name() const = 0;
  /// The constructor arguments under Keras's keys ({"l2": 0.01}).
  virtual nlohmann::json get_config() const = 0;
  /// Adds scale * penalty(x) to total (a (1,) tensor of x's backend) and, when `grad` is not
  /// null, scale * d penalty / dx to *grad (x's shape). Nothing is read back to the host.
  virtual void add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const = 0;
  /// ValueError when the regularizer cannot take a tensor of this shape (in Keras's words);
  /// the default takes any.
  virtual void check_shape(const Shape& shape) const;

  /// Keras's string names: "l1", "l2", "l1l2", "orthogonal_regularizer" and the class names,
  /// each with its defaults; ValueError "Could not interpret regularizer identifier" else.
  static std::shared_ptr<Regularizer> from_name(std::string_view name);
  /// Keras's serialized object ({"module", "class_name", "config", "registered_name"}), a
  /// {"class_name", "config"} pair or a string name.
  static std::shared_ptr<Regularizer> from_config(const nlohmann::json& config);
  /// Every name from_name accepts.
  static std::vector<std::string> names();
};

namespace regularizers {

/// Keras's serialized object: {"module": "keras.regularizers", "class_name", "config",
/// "registered_name": null}.
nlohmann::json serialize(const Regularizer& regularizer);

/// l1 sum |x|. Keras keeps l1 as a float32 tensor, so the config holds its f32 value.
class L1 : public Regularizer {
 public:
  /// The factor; ValueError unless finite and >= 0.
  explicit L1(double l1 = 0.01);
  std::string class_name() const override { return "L1"; }
  nlohmann::json get_config() const override;
  void add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const override;
  /// The factor, as Keras stores it (rounded to f32).
  float l1() const { return l1_; }

 private:
  float l1_;
};

/// l2 sum x^2.
class L2 : public Regularizer {
 public:
  /// The factor; ValueError unless finite and >= 0.
  explicit L2(double l2 = 0.01);
  std::string class_name() const override { return "L2"; }
  nlohmann::json get_config() const override;
  void add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const override;
  /// The factor.
  double l2() const { return l2_; }

 private:
  double l2_;
};

/// l1 sum |x| + l2 sum x^2; a term whose factor is 0 is left out. Keras's defaults are 0 and 0
/// (its string name "l1l2" makes that do-nothing regularizer too).
class L1L2 : public Regularizer {
 public:
  /// The factors; ValueError unless finite and >= 0.
  explicit L1L2(double l1 = 0.0, double l2 = 0.0);
  std::string class_name() const override { return "L1L2"; }
  nlohmann::json get_config() const override;
  void add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const override;
  /// The L1 factor.
  double l1() const { return l1_; }
  /// The L2 factor.
  double l2() const { return l2_; }

 private:
  double l1_, l2_;
};

/// factor times the mean |cosine| between distinct rows (mode "rows") or columns ("columns")
/// of a rank-2 tensor, after L2-normalising them as Keras does.
class OrthogonalRegularizer : public Regularizer {
 public:
  /// ValueError unless factor is finite and >= 0 and mode is "rows" or "columns".
  explicit OrthogonalRegularizer(double factor = 0.01, std::string mode = "rows");
  std::string class_name() const override { return "OrthogonalRegularizer"; }
  nlohmann::json get_config() const override;
  void add_penalty(const Tensor& x, float scale, Tensor& total, Tensor* grad) const override;
  /// ValueError "Inputs to OrthogonalRegularizer must have rank 2" for another rank.
  void check_shape(const Shape& shape) const override;
  /// The factor, as Keras stores it (rounded to f32).
  float factor() const { return factor_; }
  /// "rows" or "columns".
  const std::string& mode() const { return mode_; }

 private:
  float factor_;
  std::string mode_;
};

}  // namespace regularizers
}  // namespace strata
