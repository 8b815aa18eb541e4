#include "strata/shape.hpp"

#include <ostream>
#include <sstream>

#include "strata/error.hpp"

namespace strata {

namespace {
std::size_t resolve_axis(std::int64_t axis, std::size_t rank) {
  const std::int64_t resolved = axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
  STRATA_CHECK(resolved >= 0 && resolved < static_cast<std::int64_t>(rank), ValueError,
               "axis ", axis, " is out of range for a shape of rank ", rank);
  return static_cast<std::size_t>(resolved);
}
}  // namespace

std::int64_t Shape::operator[](std::int64_t axis) const { return dims_[resolve_axis(axis, rank())]; }
std::int64_t& Shape::operator[](std::int64_t axis) { return dims_[resolve_axis(axis, rank())]; }

std::int64_t Shape::num_elements() const {
  std::int64_t n = 1;
  for (auto d : dims_) {
    STRATA_CHECK(d >= 0, ShapeError, "shape ", to_string(), " has an unknown axis");
    n *= d;
  }
  return n;
}

std::int64_t Shape::sample_size() const { return without_batch().num_elements(); }

bool Shape::fully_known() const {
  for (auto d : dims_)
    if (d < 0) return false;
  return true;
}

Shape Shape::with_batch(std::int64_t batch) const {
  STRATA_CHECK(!dims_.empty(), ShapeError, "a scalar shape has no batch axis");
  Shape out = *this;
  out.dims_[0] = batch;
  return out;
}

Shape Shape::without_batch() const {
  STRATA_CHECK(!dims_.empty(), ShapeError, "a scalar shape has no batch axis");
  return Shape(std::vector<std::int64_t>(dims_.begin() + 1, dims_.end()));
}

Shape Shape::without_last_axis() const {
  STRATA_CHECK(!dims_.empty(), ShapeError, "a scalar shape has no last axis");
  return Shape(std::vector<std::int64_t>(dims_.begin(), dims_.end() - 1));
}

std::string Shape::to_string() const {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (i) out << ", ";
    if (dims_[i] < 0)
      out << "None";
    else
      out << dims_[i];
  }
  if (dims_.size() == 1) out << ',';  // Python's one-element tuple
  out << ')';
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) { return out << shape.to_string(); }

}  // namespace strata
