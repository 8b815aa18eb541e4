#include <cstring>
#include <new>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

// 64 bytes is a cache line and an AVX-512 register, so code that copies from or compares with
// these buffers may use aligned loads.
constexpr std::size_t kAlignment = 64;

class HostStorage final : public Storage {
 public:
  explicit HostStorage(std::size_t bytes) : bytes_(bytes) {
    // Even an empty tensor gets a real address, so data() is never null for a defined tensor.
    const std::size_t padded = ((bytes + kAlignment - 1) / kAlignment) * kAlignment;
    data_ = ::operator new (padded == 0 ? kAlignment : padded, std::align_val_t{kAlignment});
  }
  ~HostStorage() override { ::operator delete (data_, std::align_val_t{kAlignment}); }
  HostStorage(const HostStorage&) = delete;
  HostStorage& operator=(const HostStorage&) = delete;

  void* data() override { return data_; }
  std::size_t bytes() const override { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace

std::shared_ptr<Storage> ReferenceBackend::allocate(std::size_t bytes) {
  return std::make_shared<HostStorage>(bytes);
}

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
  for (float& v : reference::values_of(dst)) v = value;
}

std::unique_ptr<Backend> make_reference_backend() { return std::make_unique<ReferenceBackend>(); }

}  // namespace strata::backends
