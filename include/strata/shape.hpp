#pragma once
/// @file
/// Shapes. A dimension of -1 stands for Keras's `None` (the batch axis of a symbolic shape).

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

/// The unknown size of an axis, printed as `None`.
inline constexpr std::int64_t kNone = -1;

/// The axes live inline (at most kMaxRank of them), so making and comparing shapes in the
/// training step never touches the heap.
class Shape {
 public:
  /// The largest rank a Shape holds (stored inline, no allocation).
  static constexpr std::size_t kMaxRank = 8;

  Shape() = default;
  /// From a braced list: `Shape{-1, 28, 28}`.
  Shape(std::initializer_list<std::int64_t> dims) : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}
  /// From a vector of dimensions.
  explicit Shape(const std::vector<std::int64_t>& dims) : Shape(std::span<const std::int64_t>(dims)) {}
  /// From a span of dimensions (at most kMaxRank).
  explicit Shape(std::span<const std::int64_t> dims);

  /// The number of axes.
  std::size_t rank() const { return rank_; }
  /// Python-style index: -1 is the last axis.
  std::int64_t operator[](std::int64_t axis) const;
  /// The dimension at `axis` (Python-style index), writable.
  std::int64_t& operator[](std::int64_t axis);
  /// The dimensions, -1 for None.
  std::span<const std::int64_t> dims() const { return {dims_.data(), rank_}; }
  /// The dimensions as a vector.
  std::vector<std::int64_t> to_vector() const { return {dims_.begin(), dims_.begin() + rank_}; }
  /// Number of elements; requires every axis known. ResourceExhaustedError when the count
  /// does not fit in 64 bits.
  std::int64_t num_elements() const;
  /// Elements per sample: the product of every axis but the first.
  std::int64_t sample_size() const;
  /// Whether no dimension is None.
  bool fully_known() const;
  /// The same shape with the first axis replaced by `batch`.
  Shape with_batch(std::int64_t batch) const;
  /// The shape without its first axis.
  Shape without_batch() const;
  /// The shape without its last axis (a per-sample loss's shape, for instance).
  Shape without_last_axis() const;
  /// The shape with one more axis of `size` at the end.
  Shape with_axis_appended(std::int64_t size) const;
  /// `(None, 28, 28)`, as Keras prints shapes.
  std::string to_string() const;

  /// Same rank and the same dimensions, None matching only None.
  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.rank_ != b.rank_) return false;
    for (std::size_t i = 0; i < a.rank_; ++i)
      if (a.dims_[i] != b.dims_[i]) return false;
    return true;
  }

 private:
  std::array<std::int64_t, kMaxRank> dims_{};
  std::size_t rank_ = 0;
};

/// Size arithmetic that cannot wrap, for every shape a layer computes (compute_output_shape, the
/// convolution geometry, weight shapes): a + b and a * b of sizes, or ResourceExhaustedError
/// naming `what` when the result does not fit in 64 bits. An absurd shape then fails with a
/// message instead of wrapping into a small or negative size that a later allocation would
/// trust. `what` is a literal ("UpSampling2D's output height"), so the check costs no
/// allocation in the training step; the layer adds its own name when the error passes through it.
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what);
/// a * b of sizes, checked as checked_add checks a + b.
std::int64_t checked_multiply(std::int64_t a, std::int64_t b, std::string_view what);

/// Writes to_string(), so test frameworks and messages print shapes as Keras does.
std::ostream& operator<<(std::ostream& out, const Shape& shape);

}  // namespace strata
