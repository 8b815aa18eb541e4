#pragma once
// Strata computes with subnormal floats flushed to zero, as Keras's own backends do (TensorFlow's
// and XLA's CPU runtimes set flush-to-zero and denormals-are-zero on the threads that run ops).
// It matters for speed more than for numbers: x86 handles every subnormal operand or result in
// microcode, about a hundred times slower than a normal one, and training makes them routinely
// (Adam's moments decay towards zero for inputs that are rarely non-zero: on Fashion-MNIST's MLP
// they made the epoch twice as long). No result that Strata's tolerances can see depends on them:
// the largest subnormal float is 1.2e-38.

#include <cstdint>

namespace strata::backends {

/// While it lives, the calling thread flushes subnormal results to zero and reads subnormal
/// operands as zero; its previous mode comes back when it ends, so the caller's own arithmetic
/// outside Strata keeps the default IEEE behaviour. The first one on a thread also sets the mode,
/// for good, on the OpenMP threads that this thread's parallel regions run on (the thread team
/// that oneDNN and the cpu backend's loops share), and again whenever that team may have grown.
/// A no-op on architectures other than x86-64, which keep IEEE subnormals.
class FlushSubnormals {
 public:
  FlushSubnormals();
  ~FlushSubnormals();
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
  std::uint32_t saved_mode_ = 0;
  bool changed_ = false;
};

}  // namespace strata::backends
