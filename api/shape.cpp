#include "strata/shape.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "strata/error.hpp"

namespace strata {

namespace {
std::size_t resolve_axis(std::int64_t axis, std::size_t rank) {
  const std::int64_t resolved = axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
  STRATA_CHECK(resolved >= 0 && resolved < static_cast<std::int64_t>(rank), ValueError, "axis ", axis,
               " is out of range for a shape of rank ", rank);
  return static_cast<std::size_t>(resolved);
}
}  // namespace

Shape::Shape(std::span<const std::int64_t> dims) : rank_(dims.size()) {
  STRATA_CHECK(dims.size() <= kMaxRank, ShapeError, "shapes have at most ", kMaxRank, " axes, received ", dims.size());
  std::copy(dims.begin(), dims.end(), dims_.begin());
}

std::int64_t Shape::operator[](std::int64_t axis) const { return dims_[resolve_axis(axis, rank())]; }
std::int64_t& Shape::operator[](std::int64_t axis) { return dims_[resolve_axis(axis, rank())]; }

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t sum = 0;
  STRATA_CHECK(!__builtin_add_overflow(a, b, &sum), ResourceExhaustedError, what, " overflows 64 bits (", a, " + ", b,
               ")");
  return sum;
}

std::int64_t checked_multiply(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t product = 0;
  STRATA_CHECK(!__builtin_mul_overflow(a, b, &product), ResourceExhaustedError, what, " overflows 64 bits (", a, " * ",
               b, ")");
  return product;
}

std::int64_t Shape::num_elements() const {
  std::int64_t n = 1;
  for (auto d : dims()) STRATA_CHECK(d >= 0, ShapeError, "shape ", to_string(), " has an unknown axis");
  // Every axis is checked for None before the product, so an unknown axis is never reported
  // as an overflow.
  for (auto d : dims()) {
    if (__builtin_mul_overflow(n, d, &n))
      throw ResourceExhaustedError(
          detail::concat("a tensor of shape ", to_string(), " has more elements than fit in 64 bits"));
  }
  return n;
}

std::int64_t Shape::sample_size() const { return without_batch().num_elements(); }

bool Shape::fully_known() const {
  for (auto d : dims())
    if (d < 0) return false;
  return true;
}

Shape Shape::with_batch(std::int64_t batch) const {
  STRATA_CHECK(rank_ > 0, ShapeError, "a scalar shape has no batch axis");
  Shape out = *this;
  out.dims_[0] = batch;
  return out;
}

Shape Shape::without_batch() const {
  STRATA_CHECK(rank_ > 0, ShapeError, "a scalar shape has no batch axis");
  return Shape(dims().subspan(1));
}

Shape Shape::without_last_axis() const {
  STRATA_CHECK(rank_ > 0, ShapeError, "a scalar shape has no last axis");
  return Shape(dims().first(rank_ - 1));
}

Shape Shape::with_axis_appended(std::int64_t size) const {
  STRATA_CHECK(rank_ < kMaxRank, ShapeError, "shapes have at most ", kMaxRank, " axes");
  Shape out = *this;
  out.dims_[out.rank_++] = size;
  return out;
}

std::string Shape::to_string() const {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < rank_; ++i) {
    if (i) out << ", ";
    if (dims_[i] < 0)
      out << "None";
    else
      out << dims_[i];
  }
  if (rank_ == 1) out << ',';  // Python's one-element tuple
  out << ')';
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) { return out << shape.to_string(); }

}  // namespace strata
