#pragma once
/// @class strata::Variable
/// A weight of a layer: its value, its gradient and whether the optimizer trains it.

#include <cstdint>
#include <memory>
#include <string>

#include "strata/tensor.hpp"

namespace strata {

class Regularizer;
class Constraint;

struct Variable {
  std::string name;  ///< "kernel", "bias", "moving_mean" as Keras names them
  std::string path;  ///< "<layer name>/<name>", unique in a model
  /// The current value, on the layer's backend.
  Tensor value;
  Tensor grad;  ///< same shape as value; defined only for trainable variables
  /// Whether the optimizer updates it (false for BatchNormalization's moving statistics).
  bool trainable = true;
  /// Keras's `variable.regularizer`: its penalty joins the loss while the variable is trained
  /// (null: none).
  std::shared_ptr<const Regularizer> regularizer;
  /// Keras's `variable.constraint`: applied to the value after each optimizer update (null: none).
  std::shared_ptr<const Constraint> constraint;
  /// The engine's bookkeeping: the number of the tape step that last wrote `grad` (steps are
  /// numbered across the process), so a layer called twice adds its second gradient.
  std::uint32_t grad_step = 0;
};

}  // namespace strata
