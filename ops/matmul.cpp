#include "ops/matmul.hpp"

#include <vector>

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::ops::impl {

namespace {

enum Slot : std::size_t { kOutput, kGradA, kGradB };

// a as (rows, k).
Tensor rows_of(const Tensor& a) {
  const std::int64_t k = a.shape()[-1];
  return a.reshaped({a.size() / k, k});
}

}  // namespace

Matmul::Matmul() : OpLayer("Matmul", "matmul") {}

Shape Matmul::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  STRATA_CHECK(input_shapes.size() == 2, ValueError, "Matmul takes 2 tensors, received ", input_shapes.size());
  const Shape& a = input_shapes[0];
  const Shape& b = input_shapes[1];
  STRATA_CHECK(a.rank() >= 2 && b.rank() == 2, ValueError,
               "strata::ops::matmul supports x1 of rank >= 2 and x2 of rank 2 (x1's leading axes fold into rows); "
               "received `x1.shape=",
               a.to_string(), "` and `x2.shape=", b.to_string(), "`.");
  STRATA_CHECK(a[-1] < 0 || b[-2] < 0 || a[-1] == b[-2], ValueError,
               "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received `x1.shape=",
               a.to_string(), "` and `x2.shape=", b.to_string(), "`.");
  Shape out = a;
  out[-1] = b[-1];
  return out;
}

Tensor Matmul::forward_inputs(std::span<const Tensor> inputs, bool) {
  const Shape shapes[2] = {inputs[0].shape(), inputs.size() > 1 ? inputs[1].shape() : Shape{}};
  const Shape out_shape = compute_output_shape_inputs(std::span<const Shape>(shapes, inputs.size()));
  const Tensor a = rows_of(inputs[0]);
  Tensor& y = buffer(kOutput, {a.shape()[0], shapes[1][-1]});
  backend().matmul(a, false, inputs[1], false, y);
  save(0, a);
  save(1, inputs[1]);
  saved_shape(0) = shapes[0];
  return y.reshaped(out_shape);
}

void Matmul::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  const Tensor& a = saved(0);  // (rows, k)
  const Tensor& b = saved(1);  // (k, m)
  const Tensor g = dy.reshaped({a.shape()[0], b.shape()[1]});
  if (need_mask & 1u) {  // dL/da = g b^T
    Tensor& da = buffer(kGradA, a.shape());
    backend().matmul(g, false, b, true, da);
    dxs[0] = da.reshaped(saved_shape(0));
  }
  if (need_mask & 2u) {  // dL/db = a^T g
    Tensor& db = buffer(kGradB, b.shape());
    backend().matmul(a, true, g, false, db);
    dxs[1] = db;
  }
}

}  // namespace strata::ops::impl
