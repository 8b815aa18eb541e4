// Host storage (backends/host_memory.hpp) and the copies in and out of it.

#include <cstring>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/host_memory.hpp"
#include "strata/bfloat16.hpp"

namespace strata::backends {

namespace {

// memcpy split over threads when it is large enough to be worth a fork.
void parallel_memcpy(void* dst, const void* src, std::size_t bytes) {
  if (dst == src || bytes == 0) return;
  const auto n = static_cast<cpu::Index>(bytes);
  cpu::parallel_range(n, cpu::Index{1} << 20, [&](cpu::Index b, cpu::Index e) {
    std::memcpy(static_cast<char*>(dst) + b, static_cast<const char*>(src) + b, static_cast<std::size_t>(e - b));
  });
}

}  // namespace

std::shared_ptr<Storage> CpuBackend::allocate(std::size_t bytes) { return allocate_host(bytes, name(), in_use_); }

std::size_t CpuBackend::bytes_in_use() const { return in_use_.load(std::memory_order_relaxed); }

void CpuBackend::upload(const void* host, Tensor& dst) { parallel_memcpy(dst.raw(), host, dst.bytes()); }

void CpuBackend::download(const Tensor& src, void* host) { parallel_memcpy(host, src.raw(), src.bytes()); }

void CpuBackend::copy(const Tensor& src, Tensor& dst) {
  parallel_memcpy(dst.raw(), src.raw(), std::min(src.bytes(), dst.bytes()));
}

void CpuBackend::fill(Tensor& dst, float value) {
  if (dst.dtype() == DType::BF16) {  // a mixed-precision buffer: the value rounded once
    auto* d = dst.data<bfloat16>();
    const bfloat16 v(value);
    cpu::parallel_range(dst.size(), cpu::kSerialCheap, [&](cpu::Index b, cpu::Index e) { std::fill(d + b, d + e, v); });
    return;
  }
  float* d = cpu::f32(dst);
  cpu::parallel_range(dst.size(), cpu::kSerialCheap,
                      [&](cpu::Index b, cpu::Index e) { std::fill(d + b, d + e, value); });
}

}  // namespace strata::backends
