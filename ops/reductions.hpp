#pragma once
// Private to ops/: sum, mean and max over axes (keras.ops's Sum, Mean, Max), with or without
// the reduced axes kept as 1s.

#include <optional>
#include <vector>

#include "ops/op_layer.hpp"
#include "strata/backend.hpp"

namespace strata::ops::impl {

/// ReduceOp::Sum, Mean or Max over `axes` (every axis when none are given, as Keras's None).
/// Max's gradient is shared equally between the elements tied for the maximum, as JAX's.
class Reduction : public OpLayer {
 public:
  Reduction(ReduceOp op, std::optional<std::vector<int>> axes, bool keepdims);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  /// The input's shape with the reduced axes set to 1 (the backend's keepdims form).
  Shape kept_shape(const Shape& input_shape) const;

  ReduceOp op_;
  std::optional<std::vector<int>> axes_;
  bool keepdims_;
};

}  // namespace strata::ops::impl
