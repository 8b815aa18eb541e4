// Moving elements between layouts: transpose (an axis permutation) and the slice along one
// axis that concatenation and its gradient write and read through.

#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

std::vector<std::size_t> row_major_strides(const Shape& shape) {
  std::vector<std::size_t> strides(shape.rank(), 1);
  for (std::size_t k = shape.rank(); k-- > 1;) strides[k - 1] = strides[k] * static_cast<std::size_t>(shape.dims()[k]);
  return strides;
}

// Calls visit(i, j) for every element i of `shape` (row-major), j = sum of index[k] * strides[k].
template <class Visit>
void for_each_index(const Shape& shape, const std::vector<std::size_t>& strides, Visit&& visit) {
  const auto n = static_cast<std::size_t>(shape.num_elements());
  std::vector<std::size_t> index(shape.rank(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t j = 0;
    for (std::size_t k = 0; k < index.size(); ++k) j += index[k] * strides[k];
    visit(i, j);
    for (std::size_t k = index.size(); k-- > 0;) {
      if (++index[k] < static_cast<std::size_t>(shape.dims()[k])) break;
      index[k] = 0;
    }
  }
}

// The strides that walk `part` (which equals `whole` but along `axis`) over the elements of
// `whole` starting at index `start` of `axis`; returns the offset of part's first element.
std::size_t place_along([[maybe_unused]] const Shape& part, const Shape& whole, int axis, std::int64_t start,
                        std::vector<std::size_t>& strides) {
  assert(part.rank() == whole.rank() && axis >= 0 && static_cast<std::size_t>(axis) < part.rank());
  assert(start >= 0 && start + part.dims()[axis] <= whole.dims()[axis]);
  strides = row_major_strides(whole);
  return static_cast<std::size_t>(start) * strides[static_cast<std::size_t>(axis)];
}

}  // namespace

void ReferenceBackend::transpose(const Tensor& x, std::span<const int> perm, Tensor& out) {
  assert(perm.size() == x.shape().rank() && out.shape().rank() == perm.size());
  const auto in = reference::values_of(x);
  auto dst = reference::values_of(out);
  const auto x_strides = row_major_strides(x.shape());
  // out's axis k walks x's axis perm[k].
  std::vector<std::size_t> strides(perm.size());
  for (std::size_t k = 0; k < perm.size(); ++k) {
    assert(out.shape().dims()[k] == x.shape().dims()[static_cast<std::size_t>(perm[k])]);
    strides[k] = x_strides[static_cast<std::size_t>(perm[k])];
  }
  for_each_index(out.shape(), strides, [&](std::size_t i, std::size_t j) { dst[i] = in[j]; });
}

void ReferenceBackend::slice(const Tensor& x, int axis, std::int64_t start, Tensor& out) {
  const auto in = reference::values_of(x);
  auto dst = reference::values_of(out);
  std::vector<std::size_t> strides;
  const std::size_t first = place_along(out.shape(), x.shape(), axis, start, strides);
  for_each_index(out.shape(), strides, [&](std::size_t i, std::size_t j) { dst[i] = in[first + j]; });
}

void ReferenceBackend::slice_assign(const Tensor& x, int axis, std::int64_t start, Tensor& out) {
  const auto in = reference::values_of(x);
  auto dst = reference::values_of(out);
  std::vector<std::size_t> strides;
  const std::size_t first = place_along(x.shape(), out.shape(), axis, start, strides);
  for_each_index(x.shape(), strides, [&](std::size_t i, std::size_t j) { dst[first + j] = in[i]; });
}

}  // namespace strata::backends
