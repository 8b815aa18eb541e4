// Host storage (64-byte aligned, so every tensor starts on a cache line and suits AVX-512
// loads) and the copies in and out of it.

#include <cstdlib>
#include <cstring>
#include <new>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "strata/error.hpp"

namespace strata::backends {

namespace {

class AlignedStorage final : public Storage {
 public:
  explicit AlignedStorage(std::size_t bytes) : bytes_(bytes) {
    const std::size_t rounded = (bytes + 63) / 64 * 64;  // aligned_alloc wants a multiple
    data_ = std::aligned_alloc(64, rounded > 0 ? rounded : 64);
    if (!data_) throw BackendError(detail::concat("cpu backend: could not allocate ", bytes, " bytes"));
  }
  ~AlignedStorage() override { std::free(data_); }
  AlignedStorage(const AlignedStorage&) = delete;
  AlignedStorage& operator=(const AlignedStorage&) = delete;

  void* data() override { return data_; }
  std::size_t bytes() const override { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// memcpy split over threads when it is large enough to be worth a fork.
void parallel_memcpy(void* dst, const void* src, std::size_t bytes) {
  if (dst == src || bytes == 0) return;
  const auto n = static_cast<cpu::Index>(bytes);
  cpu::parallel_range(n, cpu::Index{1} << 20, [&](cpu::Index b, cpu::Index e) {
    std::memcpy(static_cast<char*>(dst) + b, static_cast<const char*>(src) + b,
                static_cast<std::size_t>(e - b));
  });
}

}  // namespace

std::shared_ptr<Storage> CpuBackend::allocate(std::size_t bytes) {
  return std::make_shared<AlignedStorage>(bytes);
}

void CpuBackend::upload(const void* host, Tensor& dst) { parallel_memcpy(dst.raw(), host, dst.bytes()); }

void CpuBackend::download(const Tensor& src, void* host) { parallel_memcpy(host, src.raw(), src.bytes()); }

void CpuBackend::copy(const Tensor& src, Tensor& dst) {
  parallel_memcpy(dst.raw(), src.raw(), std::min(src.bytes(), dst.bytes()));
}

void CpuBackend::fill(Tensor& dst, float value) {
  float* d = cpu::f32(dst);
  cpu::parallel_range(dst.size(), cpu::kSerialCheap, [&](cpu::Index b, cpu::Index e) {
    std::fill(d + b, d + e, value);
  });
}

}  // namespace strata::backends
