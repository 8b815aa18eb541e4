#pragma once
// Private to ops/: the ops that move elements or only rename axes, as keras.ops's Reshape,
// Transpose, ExpandDims, Squeeze, Slice, Flip and Concatenate. Reshape, ExpandDims and Squeeze are
// views of their input (no copy either way); the others copy through the backend's transpose,
// slice and slice_assign.

#include <cstdint>
#include <optional>
#include <vector>

#include "ops/op_layer.hpp"

namespace strata::ops::impl {

/// (batch, *shape): the batch axis kept, one -1 in `shape` inferred.
class Reshape : public OpLayer {
 public:
  explicit Reshape(const Shape& shape);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Shape shape_;
};

/// Axes permuted by `axes` (reversed when none are given).
class Transpose : public OpLayer {
 public:
  explicit Transpose(std::optional<std::vector<int>> axes);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::vector<int> permutation(std::size_t rank) const;

  std::optional<std::vector<int>> axes_;
};

/// A new axis of size 1 at `axis` of the result.
class ExpandDims : public OpLayer {
 public:
  explicit ExpandDims(int axis);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  int axis_;
};

/// `axis` removed (it must have size 1), or every axis of size 1 when none is given.
class Squeeze : public OpLayer {
 public:
  explicit Squeeze(std::optional<int> axis);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::optional<int> axis_;
};

/// x[..., start : start + size, ...] along `axis` (negative axis and start count from the end).
class Slice : public OpLayer {
 public:
  Slice(int axis, std::int64_t start, std::int64_t size);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::int64_t start_of(std::int64_t dim) const;

  int axis_;
  std::int64_t start_, size_;
};

/// The elements' order along `axis` reversed; backward reverses the gradient the same way.
class Flip : public OpLayer {
 public:
  explicit Flip(int axis);
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  /// `from` reversed along `axis` into buffer `slot` (the step buffer after it).
  Tensor& reversed(const Tensor& from, std::size_t slot);

  int axis_;
};

/// The inputs joined along `axis`.
class Concatenate : public OpLayer {
 public:
  explicit Concatenate(int axis);
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;

 protected:
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

 private:
  int axis_;
};

}  // namespace strata::ops::impl
