#pragma once
// Private to ops/: matmul (keras.ops's Matmul) for a (..., n, k) and b (k, m): a's leading axes
// fold into rows, so it is one 2-D product on the backend and its gradients are two more.

#include "ops/op_layer.hpp"

namespace strata::ops::impl {

class Matmul : public OpLayer {
 public:
  Matmul();

  /// Keras's compute_matmul_output_shape for the supported ranks: (..., n, m).
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;

 protected:
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;
};

}  // namespace strata::ops::impl
