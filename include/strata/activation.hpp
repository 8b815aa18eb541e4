#pragma once
/// @file
/// Element-wise activation functions, named as Keras names them ("relu", "softmax", ...).

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

/// The activation functions Strata computes; Keras's string names map onto them.
enum class ActivationKind {
  Linear,     ///< f(x) = x
  Relu,       ///< max(x, 0)
  Sigmoid,    ///< 1 / (1 + exp(-x))
  Tanh,       ///< tanh(x)
  Softmax,    ///< exp(x_i) / sum_j exp(x_j) over the last axis
  Elu,        ///< x if x > 0 else alpha * (exp(x) - 1); alpha = 1 in Keras's "elu"
  Selu,       ///< scale * elu(x, alpha) with Keras's fixed alpha 1.67326324, scale 1.05070098
  Gelu,       ///< x * Phi(x), exact erf form (Keras's default approximate=False)
  LeakyRelu,  ///< x if x >= 0 else alpha * x; alpha = 0.2 in Keras's "leaky_relu"
  Softplus,   ///< log(1 + exp(x))
  Swish,      ///< x * sigmoid(x) (Keras also calls it "silu")
};

/// An activation function with its parameters (alpha: Elu, LeakyRelu, Relu's negative slope). The layer
/// that applies one is strata::Activation.
struct ActivationFunction {
  /// Which function.
  ActivationKind kind = ActivationKind::Linear;
  /// The slope or scale parameter of Elu and LeakyRelu (alpha in the formulas above).
  float alpha = 0.f;
  /// Relu only (Keras's ReLU layer): f(x) = max_value for x >= max_value, x for
  /// threshold <= x < max_value, alpha (x - threshold) below threshold.
  float max_value = std::numeric_limits<float>::infinity();
  /// ReLU's threshold: values below it go to zero (or the negative slope).
  float threshold = 0.f;

  /// Keras's string names, including None-as-"linear"; throws ValueError listing the valid names.
  static ActivationFunction from_name(std::string_view name);
  /// The name Keras writes in a config.
  std::string name() const;
  /// True when dx can be computed from the output y alone, so the input need not be kept.
  bool backward_from_output() const;
  /// Every name `from_name` accepts.
  static std::vector<std::string> names();

  /// Same function with the same parameters.
  friend bool operator==(const ActivationFunction&, const ActivationFunction&) = default;
};

}  // namespace strata
