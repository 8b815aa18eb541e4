#include "ops/op_layer.hpp"

#include <sstream>
#include <vector>

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata::ops::impl {

OpLayer::OpLayer(std::string class_name, std::string_view prefix)
    : Layer(prefix, std::string()), class_name_(std::move(class_name)) {
  mark_as_op();
}

Tensor OpLayer::unbroadcast(std::size_t slot, const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  // The operand's axes aligned at the end of g's, 1s in front (NumPy's rule read backwards).
  std::vector<std::int64_t> dims(g.shape().rank() - shape.rank(), 1);
  dims.insert(dims.end(), shape.dims().begin(), shape.dims().end());
  Tensor& out = buffer(slot, Shape(dims));
  backend().reduce(ReduceOp::Sum, g, out);
  return out.reshaped(shape);
}

Tensor& OpLayer::scalar(std::size_t slot, float value) {
  Tensor& t = buffer(slot, Shape{1});
  backend().fill(t, value);
  return t;
}

std::string list_text(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.rank(); ++i) {
    const std::int64_t d = shape.dims()[i];
    out << (i ? ", " : "");
    if (d < 0)
      out << "None";
    else
      out << d;
  }
  out << ']';
  return out.str();
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.rank(), b.rank());
  std::vector<std::int64_t> out(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t x = k + a.rank() >= rank ? a.dims()[k + a.rank() - rank] : 1;
    const std::int64_t y = k + b.rank() >= rank ? b.dims()[k + b.rank() - rank] : 1;
    if (x == 1) {
      out[k] = y;
    } else if (x < 0) {
      out[k] = y == 1 ? kNone : y;
    } else {
      STRATA_CHECK(y == 1 || y < 0 || y == x, ValueError, "Cannot broadcast shape, the failure dim has value ", x,
                   ", which cannot be broadcasted to ", y, ". Input shapes are: ", list_text(a), " and ", list_text(b),
                   ".");
      out[k] = x;
    }
  }
  return Shape(out);
}

int canonical_axis(int axis, std::size_t rank) {
  const auto r = static_cast<int>(rank);
  STRATA_CHECK(axis >= -r && axis < r, ValueError, "axis ", axis, " is out of bounds for an array with dimension ", r,
               ".");
  return axis < 0 ? axis + r : axis;
}

}  // namespace strata::ops::impl
