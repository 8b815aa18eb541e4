#pragma once
// How many tensors have asked a backend for memory in this process: the tests' proof that a
// steady training step allocates nothing (every Tensor(backend, shape) counts one).

#include <cstdint>

namespace strata::detail {

std::uint64_t tensor_allocations();

}  // namespace strata::detail
