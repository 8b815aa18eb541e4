#include "ops/shape_ops.hpp"

#include <algorithm>
#include <numeric>

#include "strata/backend.hpp"
#include "strata/call_context.hpp"
#include "strata/error.hpp"

namespace strata::ops::impl {

namespace {

enum Slot : std::size_t { kOutput, kInputGrad, kStep };

// What a Concatenate call keeps for its backward: its inputs' shapes.
struct InputShapes : CallState {
  std::vector<Shape> shapes;
};

// Python's text for `newshape` as given: a tuple of ints, -1 kept ("(-1, 2)", "(4,)").
std::string newshape_text(const Shape& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.rank(); ++i) text += (i ? ", " : "") + std::to_string(shape.dims()[i]);
  return text + (shape.rank() == 1 ? ",)" : ")");
}

std::string ints_text(const std::vector<int>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

}  // namespace

// ---- Reshape ----------------------------------------------------------------------------------

Reshape::Reshape(const Shape& shape) : OpLayer("Reshape", "reshape"), shape_(shape) {
  int unknown = 0;
  for (const std::int64_t d : shape.dims()) {
    STRATA_CHECK(d >= -1, ValueError,
                 "Each dimension in `newshape` must be a non-negative integer, or `-1` for a single unknown dimension. "
                 "Received: newshape=",
                 newshape_text(shape), ".");
    unknown += d == -1;
  }
  STRATA_CHECK(
      unknown <= 1, ValueError,
      "There must be at most one unknown dimension (-1) in `newshape`. Received: newshape=", newshape_text(shape), ".");
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
  const Shape sample = input_shape.without_batch();
  std::vector<std::int64_t> dims{input_shape[0]};
  dims.insert(dims.end(), shape_.dims().begin(), shape_.dims().end());
  if (!sample.fully_known()) return Shape(dims);  // the -1 stays None, as Keras's
  const std::int64_t size = sample.num_elements();
  std::int64_t known = 1;
  for (const std::int64_t d : shape_.dims())
    if (d != -1) known = checked_multiply(known, d, "ops.reshape's target size");
  const auto unknown = std::find(dims.begin() + 1, dims.end(), -1);
  if (unknown == dims.end()) {
    STRATA_CHECK(known == size, ValueError,
                 "The total size of the tensor must be unchanged. Received: input_shape=", sample.to_string(),
                 ", newshape=", newshape_text(shape_));
  } else {
    STRATA_CHECK(known != 0 && size % known == 0, ValueError,
                 "The total size of the tensor must be unchanged, however, the input size cannot by divided by the "
                 "specified dimensions in newshape. Received: input_shape=",
                 sample.to_string(), ", newshape=", newshape_text(shape_));
    *unknown = size / known;
  }
  return Shape(dims);
}

Tensor Reshape::forward(const Tensor& x, bool) {
  saved_shape(0) = x.shape();
  return x.reshaped(compute_output_shape(x.shape()));
}

Tensor Reshape::backward_impl(const Tensor& dy, bool need_input_grad) {
  return need_input_grad ? dy.reshaped(saved_shape(0)) : Tensor();
}

// ---- Transpose --------------------------------------------------------------------------------

Transpose::Transpose(std::optional<std::vector<int>> axes)
    : OpLayer("Transpose", "transpose"), axes_(std::move(axes)) {}

std::vector<int> Transpose::permutation(std::size_t rank) const {
  std::vector<int> perm(rank);
  if (!axes_) {
    std::iota(perm.rbegin(), perm.rend(), 0);
    return perm;
  }
  const auto r = static_cast<int>(rank);
  STRATA_CHECK(axes_->size() == rank, ValueError,
               "axis must be a list of the same length as the input shape, expected ", rank, ", but received ",
               axes_->size(), ".");
  std::vector<bool> seen(rank, false);
  for (std::size_t i = 0; i < rank; ++i) {
    const int a = (*axes_)[i];
    STRATA_CHECK(a >= -r && a < r, ValueError, "Each axis in `axes` must be an integer in [-", r, ", ", r,
                 "). Received: axes=", ints_text(*axes_), ".");
    perm[i] = (a + r) % r;
    STRATA_CHECK(!seen[static_cast<std::size_t>(perm[i])], ValueError,
                 "`axes` must be a valid permutation of the input dimensions (no duplicates). Received: axes=",
                 ints_text(*axes_), " for input of rank ", r, ".");
    seen[static_cast<std::size_t>(perm[i])] = true;
  }
  return perm;
}

Shape Transpose::compute_output_shape(const Shape& input_shape) const {
  std::vector<std::int64_t> dims;
  for (const int p : permutation(input_shape.rank())) dims.push_back(input_shape.dims()[static_cast<std::size_t>(p)]);
  return Shape(dims);
}

Tensor Transpose::forward(const Tensor& x, bool) {
  Tensor& y = buffer(kOutput, compute_output_shape(x.shape()));
  backend().transpose(x, permutation(x.shape().rank()), y);
  return y;
}

Tensor Transpose::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  const std::vector<int> perm = permutation(dy.shape().rank());
  std::vector<int> inverse(perm.size());
  std::vector<std::int64_t> dims(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    inverse[static_cast<std::size_t>(perm[i])] = static_cast<int>(i);
    dims[static_cast<std::size_t>(perm[i])] = dy.shape().dims()[i];
  }
  Tensor& dx = buffer(kInputGrad, Shape(dims));
  backend().transpose(dy, inverse, dx);
  return dx;
}

// ---- ExpandDims -------------------------------------------------------------------------------

ExpandDims::ExpandDims(int axis) : OpLayer("ExpandDims", "expand_dims"), axis_(axis) {}

Shape ExpandDims::compute_output_shape(const Shape& input_shape) const {
  const int axis = canonical_axis(axis_, input_shape.rank() + 1);
  std::vector<std::int64_t> dims = input_shape.to_vector();
  dims.insert(dims.begin() + axis, 1);
  return Shape(dims);
}

Tensor ExpandDims::forward(const Tensor& x, bool) {
  saved_shape(0) = x.shape();
  return x.reshaped(compute_output_shape(x.shape()));
}

Tensor ExpandDims::backward_impl(const Tensor& dy, bool need_input_grad) {
  return need_input_grad ? dy.reshaped(saved_shape(0)) : Tensor();
}

// ---- Squeeze ----------------------------------------------------------------------------------

Squeeze::Squeeze(std::optional<int> axis) : OpLayer("Squeeze", "squeeze"), axis_(axis) {}

Shape Squeeze::compute_output_shape(const Shape& input_shape) const {
  std::vector<std::int64_t> dims = input_shape.to_vector();
  if (!axis_) {
    std::erase(dims, 1);
    return Shape(dims);
  }
  const int axis = canonical_axis(*axis_, input_shape.rank());
  STRATA_CHECK(dims[static_cast<std::size_t>(axis)] == 1, ValueError, "Cannot squeeze axis ", *axis_,
               ", because the dimension is not 1.");
  dims.erase(dims.begin() + axis);
  return Shape(dims);
}

Tensor Squeeze::forward(const Tensor& x, bool) {
  saved_shape(0) = x.shape();
  return x.reshaped(compute_output_shape(x.shape()));
}

Tensor Squeeze::backward_impl(const Tensor& dy, bool need_input_grad) {
  return need_input_grad ? dy.reshaped(saved_shape(0)) : Tensor();
}

// ---- Slice ------------------------------------------------------------------------------------

Slice::Slice(int axis, std::int64_t start, std::int64_t size)
    : OpLayer("Slice", "slice"), axis_(axis), start_(start), size_(size) {
  STRATA_CHECK(size >= 0, ValueError, "slice: `size` must be >= 0, received ", size, ".");
}

std::int64_t Slice::start_of(std::int64_t dim) const { return start_ < 0 && dim >= 0 ? start_ + dim : start_; }

Shape Slice::compute_output_shape(const Shape& input_shape) const {
  const int axis = canonical_axis(axis_, input_shape.rank());
  const std::int64_t dim = input_shape.dims()[static_cast<std::size_t>(axis)];
  const std::int64_t start = start_of(dim);
  STRATA_CHECK(start >= 0 && (dim < 0 || start + size_ <= dim), ValueError, "slice: [", start_, ", ", start_, " + ",
               size_, ") along axis ", axis_, " is out of bounds for shape ", input_shape.to_string(), ".");
  Shape out = input_shape;
  out[axis] = size_;
  return out;
}

Tensor Slice::forward(const Tensor& x, bool) {
  const int axis = canonical_axis(axis_, x.shape().rank());
  Tensor& y = buffer(kOutput, compute_output_shape(x.shape()));
  backend().slice(x, axis, start_of(x.shape()[axis]), y);
  saved_shape(0) = x.shape();
  return y;
}

Tensor Slice::backward_impl(const Tensor& dy, bool need_input_grad) {
  if (!need_input_grad) return {};
  const Shape& x_shape = saved_shape(0);
  const int axis = canonical_axis(axis_, x_shape.rank());
  Tensor& dx = buffer(kInputGrad, x_shape);
  backend().fill(dx, 0.f);
  backend().slice_assign(dy, axis, start_of(x_shape[axis]), dx);
  return dx;
}

// ---- Flip -------------------------------------------------------------------------------------

Flip::Flip(int axis) : OpLayer("Flip", "flip"), axis_(axis) {}

Shape Flip::compute_output_shape(const Shape& input_shape) const {
  canonical_axis(axis_, input_shape.rank());
  return input_shape;
}

Tensor& Flip::reversed(const Tensor& from, std::size_t slot) {
  const int axis = canonical_axis(axis_, from.shape().rank());
  const std::int64_t n = from.shape()[axis];
  Shape step_shape = from.shape();
  step_shape[axis] = 1;
  Tensor& to = buffer(slot, from.shape(), from.dtype());
  Tensor& step = buffer(kStep, step_shape, from.dtype());
  // The backend has no reverse op: one slice in and out per step. Bidirectional, the caller that
  // matters, pairs each step's copy with a whole recurrent step, so this stays a small share.
  for (std::int64_t i = 0; i < n; ++i) {
    backend().slice(from, axis, i, step);
    backend().slice_assign(step, axis, n - 1 - i, to);
  }
  return to;
}

Tensor Flip::forward(const Tensor& x, bool) { return reversed(x, kOutput); }

Tensor Flip::backward_impl(const Tensor& dy, bool need_input_grad) {
  return need_input_grad ? reversed(dy, kInputGrad) : Tensor();
}

// ---- Concatenate ------------------------------------------------------------------------------

Concatenate::Concatenate(int axis) : OpLayer("Concatenate", "concatenate"), axis_(axis) {}

Shape Concatenate::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  const Shape& first = input_shapes[0];
  const int axis = canonical_axis(axis_, first.rank());
  std::int64_t total = 0;
  for (const Shape& s : input_shapes) {
    bool same = s.rank() == first.rank();
    for (std::size_t k = 0; same && k < s.rank(); ++k) {
      const std::int64_t a = s.dims()[k], b = first.dims()[k];
      same = static_cast<int>(k) == axis || a < 0 || b < 0 || a == b;
    }
    STRATA_CHECK(same, ValueError,
                 "Every value in `xs` must have the same shape except on the `axis` dim. But found element of shape ",
                 s.to_string(), ", which is different from the first element's shape ", first.to_string(), ".");
    const std::int64_t d = s.dims()[static_cast<std::size_t>(axis)];
    total = total < 0 || d < 0 ? kNone : total + d;
  }
  Shape out = first;
  out[axis] = total;
  return out;
}

Tensor Concatenate::forward_inputs(std::span<const Tensor> inputs, bool) {
  std::vector<Shape> shapes;
  for (const Tensor& x : inputs) shapes.push_back(x.shape());
  const Shape out_shape = compute_output_shape_inputs(shapes);
  const int axis = canonical_axis(axis_, out_shape.rank());
  Tensor& y = buffer(kOutput, out_shape);
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    backend().slice_assign(inputs[i], axis, offset, y);
    offset += inputs[i].shape()[axis];
  }
  call_state<InputShapes>().shapes = shapes;
  return y;
}

void Concatenate::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  const std::vector<Shape>& shapes = call_state<InputShapes>().shapes;
  const int axis = canonical_axis(axis_, dy.shape().rank());
  std::int64_t offset = 0;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (need_mask >> i & 1u) {
      Tensor& dx = buffer(kInputGrad + i, shapes[i]);
      backend().slice(dy, axis, offset, dx);
      dxs[i] = dx;
    }
    offset += shapes[i][axis];
  }
}

}  // namespace strata::ops::impl
