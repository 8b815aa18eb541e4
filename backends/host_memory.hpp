#pragma once
// Host memory, shared by the backends that keep tensors in RAM (reference, cpu): 64-byte aligned
// blocks (a cache line and an AVX-512 register, so kernels may use aligned loads), a size limit
// checked before anything is asked of the allocator, and a count of the bytes each backend holds.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string_view>

#include "strata/tensor.hpp"

namespace strata::backends {

/// The largest block one tensor may take: the machine's physical memory. Anything larger could
/// only be had by overcommitting, to fail later at first touch; under AddressSanitizer a request
/// near the address space would abort instead of failing.
std::size_t host_memory_limit();

/// A 64-byte aligned block of `bytes` (never a null address, even for 0 bytes), counted in
/// `in_use` while it lives. ResourceExhaustedError, naming `backend` and the bytes, when the
/// request is over host_memory_limit() or the allocator has no such block.
std::shared_ptr<Storage> allocate_host(std::size_t bytes, std::string_view backend, std::atomic<std::size_t>& in_use);

}  // namespace strata::backends
