#pragma once
/// Shapes. A dimension of -1 stands for Keras's `None` (the batch axis of a symbolic shape).

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

namespace strata {

/// The unknown size of an axis, printed as `None`.
inline constexpr std::int64_t kNone = -1;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) {}

  std::size_t rank() const { return dims_.size(); }
  /// Python-style index: -1 is the last axis.
  std::int64_t operator[](std::int64_t axis) const;
  std::int64_t& operator[](std::int64_t axis);
  const std::vector<std::int64_t>& dims() const { return dims_; }
  /// Number of elements; requires every axis known.
  std::int64_t num_elements() const;
  /// Elements per sample: the product of every axis but the first.
  std::int64_t sample_size() const;
  bool fully_known() const;
  /// The same shape with the first axis replaced by `batch`.
  Shape with_batch(std::int64_t batch) const;
  /// The shape without its first axis.
  Shape without_batch() const;
  /// The shape without its last axis (a per-sample loss's shape, for instance).
  Shape without_last_axis() const;
  /// `(None, 28, 28)`, as Keras prints shapes.
  std::string to_string() const;

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  std::vector<std::int64_t> dims_;
};

/// Writes to_string(), so test frameworks and messages print shapes as Keras does.
std::ostream& operator<<(std::ostream& out, const Shape& shape);

}  // namespace strata
