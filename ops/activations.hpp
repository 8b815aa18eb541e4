#pragma once
// Private to ops/: the activation functions as ops (keras.ops's Relu, Sigmoid, Tanh, Softmax,
// Gelu, Elu, Selu, Softplus, Silu, LeakyRelu), each one backend activation op forward and one
// backward.

#include <string>

#include "ops/op_layer.hpp"
#include "strata/activation.hpp"

namespace strata::ops::impl {

class ActivationOp : public OpLayer {
 public:
  /// `function` applied element-wise (Softmax over the last axis); `class_name` is Keras's op
  /// class ("LeakyRelu"), `prefix` its snake_case.
  ActivationOp(ActivationFunction function, std::string class_name, std::string_view prefix);

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  ActivationFunction function_;
};

}  // namespace strata::ops::impl
