#include "backends/flush_subnormals.hpp"

#include <omp.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace strata::backends {

namespace {

#if defined(__x86_64__)
// MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6).
constexpr std::uint32_t kFlushBits = 0x8040;
std::uint32_t read_mode() { return _mm_getcsr(); }
void write_mode(std::uint32_t mode) { _mm_setcsr(mode); }
#else
constexpr std::uint32_t kFlushBits = 0;
std::uint32_t read_mode() { return 0; }
void write_mode(std::uint32_t) {}
#endif

// The size of the largest team this thread has set the mode on. libgomp keeps a thread's pool
// of workers alive between parallel regions and reuses them, so a team needs setting only when
// it may contain threads that did not exist before.
thread_local int flushed_team = 1;

void flush_team() {
  const int threads = omp_get_max_threads();
  if (threads <= flushed_team || omp_in_parallel()) return;
#pragma omp parallel num_threads(threads)
  write_mode(read_mode() | kFlushBits);
  flushed_team = threads;
}

}  // namespace

FlushSubnormals::FlushSubnormals() {
  if constexpr (kFlushBits == 0) return;
  saved_mode_ = read_mode();
  if ((saved_mode_ & kFlushBits) != kFlushBits) {
    write_mode(saved_mode_ | kFlushBits);
    changed_ = true;
  }
  flush_team();
}

FlushSubnormals::~FlushSubnormals() {
  if (changed_) write_mode(saved_mode_);
}

}  // namespace strata::backends
