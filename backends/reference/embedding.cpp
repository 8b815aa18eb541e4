// Embedding lookup and its gradient: the plain loops every other backend is checked against.

#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

void ReferenceBackend::embedding_forward(const Tensor& indices, const Tensor& table, Tensor& y) {
  const std::int32_t* index = indices_of("reference", indices);
  const auto rows = reference::values_of(table);
  auto out = reference::values_of(y);
  const std::int64_t dim = table.shape()[1];
  assert(y.size() == indices.size() * dim);
  check_indices(index, indices.shape(), table.shape()[0]);
  for (std::int64_t p = 0; p < indices.size(); ++p)
    for (std::int64_t j = 0; j < dim; ++j) out[static_cast<std::size_t>(p * dim + j)] = rows[index[p] * dim + j];
}

void ReferenceBackend::embedding_backward(const Tensor& indices, const Tensor& dy, Tensor& dtable) {
  const std::int32_t* index = indices_of("reference", indices);
  const auto grad_out = reference::values_of(dy);
  const std::int64_t dim = dtable.shape()[1];
  assert(dy.size() == indices.size() * dim);
  // Summed in double, as the reference's other reductions, then rounded once.
  std::vector<double> acc(static_cast<std::size_t>(dtable.size()), 0.0);
  for (std::int64_t p = 0; p < indices.size(); ++p)
    for (std::int64_t j = 0; j < dim; ++j)
      acc[static_cast<std::size_t>(index[p] * dim + j)] += grad_out[static_cast<std::size_t>(p * dim + j)];
  auto grad_table = reference::values_of(dtable);
  for (std::size_t k = 0; k < acc.size(); ++k) grad_table[k] = static_cast<float>(acc[k]);
}

}  // namespace strata::backends
