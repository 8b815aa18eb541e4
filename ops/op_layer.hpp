#pragma once
// Private to ops/: the base of every strata::ops op and the shape rules the ops share.
//
// An op is a primitive layer made for one call (`std::make_shared<Op>(...)`, then `(*op)(x)`),
// marked as an op so it is never tracked as a sublayer: on symbolic tensors the call records a
// graph node that owns it, on concrete tensors it runs and the engine's tape (inside a model's
// step) keeps it until backward. Its name is Keras's automatic one, the snake_case of its
// class name with a counter ("add", "add_1", ...), shared with layers as Keras shares it.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "strata/layer.hpp"

namespace strata::ops::impl {

class OpLayer : public Layer {
 public:
  std::string class_name() const override { return class_name_; }

 protected:
  /// `class_name` is Keras's op class ("Add", "Matmul"), `prefix` its snake_case ("matmul").
  OpLayer(std::string class_name, std::string_view prefix);

  /// dL/d an operand of `shape` from `g`, the gradient at the broadcast output's shape: g
  /// summed over the axes the operand was repeated along (into buffer `slot`), or g itself.
  Tensor unbroadcast(std::size_t slot, const Tensor& g, const Shape& shape);
  /// A (1,) tensor holding `value` (buffer `slot`), for a scalar operand of a broadcast op.
  Tensor& scalar(std::size_t slot, float value);

 private:
  std::string class_name_;
};

/// Calls a new Op(args...) on `inputs`: the one way the public functions run an op.
template <class Op, class... Args>
Tensor call_op(std::span<const Tensor> inputs, Args&&... args) {
  auto op = std::make_shared<Op>(std::forward<Args>(args)...);
  return (*op)(inputs);
}

/// Keras's broadcast_shapes (NumPy's rule; None broadcasts as an unknown size): ValueError
/// "Cannot broadcast shape, the failure dim has value 3, which cannot be broadcasted to 4.
/// Input shapes are: [2, 3] and [2, 4]." otherwise.
Shape broadcast_shapes(const Shape& a, const Shape& b);

/// Keras's canonicalize_axis: `axis` in [-rank, rank) as an index, else ValueError "axis 3 is
/// out of bounds for an array with dimension 2."
int canonical_axis(int axis, std::size_t rank);

/// Python's text for a shape as a list, "[None, 3]" (Keras prints some shapes so).
std::string list_text(const Shape& shape);

}  // namespace strata::ops::impl
