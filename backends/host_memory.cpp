#include "backends/host_memory.hpp"

#include <unistd.h>

#include <cstdlib>

#include "strata/error.hpp"

namespace strata::backends {

namespace {

constexpr std::size_t kAlignment = 64;

class HostStorage final : public Storage {
 public:
  HostStorage(void* data, std::size_t bytes, std::atomic<std::size_t>& in_use)
      : data_(data), bytes_(bytes), in_use_(in_use) {
    in_use_.fetch_add(bytes_, std::memory_order_relaxed);
  }
  ~HostStorage() override {
    std::free(data_);
    in_use_.fetch_sub(bytes_, std::memory_order_relaxed);
  }
  HostStorage(const HostStorage&) = delete;
  HostStorage& operator=(const HostStorage&) = delete;

  void* data() override { return data_; }
  std::size_t bytes() const override { return bytes_; }

 private:
  void* data_;
  std::size_t bytes_;
  std::atomic<std::size_t>& in_use_;
};

}  // namespace

std::size_t host_memory_limit() {
  static const std::size_t limit = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page)
                                 : std::size_t{1} << 40;
  }();
  return limit;
}

std::shared_ptr<Storage> allocate_host(std::size_t bytes, std::string_view backend, std::atomic<std::size_t>& in_use) {
  const auto refuse = [&](const char* why) {
    return ResourceExhaustedError(detail::concat("the ", backend, " backend cannot allocate ", bytes, " bytes (",
                                                 double(bytes) / double(1 << 30), " GiB): ", why));
  };
  if (bytes > host_memory_limit())
    throw refuse(detail::concat("more than this machine's ", host_memory_limit(), " bytes of memory").c_str());
  const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;  // aligned_alloc wants a multiple
  void* data = std::aligned_alloc(kAlignment, rounded > 0 ? rounded : kAlignment);
  if (data == nullptr) throw refuse("the allocator has no block that large free");
  return std::make_shared<HostStorage>(data, bytes, in_use);
}

}  // namespace strata::backends
