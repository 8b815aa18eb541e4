#include <algorithm>
#include <cstring>

#include "backends/host_memory.hpp"
#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"
#include "strata/bfloat16.hpp"

namespace strata::backends {

std::shared_ptr<Storage> ReferenceBackend::allocate(std::size_t bytes) { return allocate_host(bytes, name(), in_use_); }

std::size_t ReferenceBackend::bytes_in_use() const { return in_use_.load(std::memory_order_relaxed); }

void ReferenceBackend::upload(const void* host, Tensor& dst) {
  if (dst.bytes() > 0) std::memcpy(dst.raw(), host, dst.bytes());
}

void ReferenceBackend::download(const Tensor& src, void* host) {
  if (src.bytes() > 0) std::memcpy(host, src.raw(), src.bytes());
}

void ReferenceBackend::copy(const Tensor& src, Tensor& dst) {
  assert(src.bytes() == dst.bytes());
  // memmove: src and dst may be views of the same storage.
  if (src.bytes() > 0) std::memmove(dst.raw(), src.raw(), src.bytes());
}

void ReferenceBackend::fill(Tensor& dst, float value) {
  if (dst.dtype() == DType::BF16) {  // a mixed-precision buffer: the value rounded once
    std::fill_n(dst.data<bfloat16>(), dst.size(), bfloat16(value));
    return;
  }
  for (float& v : reference::values_of(dst)) v = value;
}

std::unique_ptr<Backend> make_reference_backend() { return std::make_unique<ReferenceBackend>(); }

}  // namespace strata::backends
