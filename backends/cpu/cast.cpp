// Backend::cast: the conversions every backend shares (backends/cast_element.hpp) in a loop the
// compiler vectorises, split over threads for large tensors. oneDNN's reorder converts between
// these types too, but rounds f32 to s32 to nearest and saturates, where NumPy truncates.

#include "backends/cast_element.hpp"
#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/dtype_check.hpp"

namespace strata::backends {

namespace {

using cpu::Index;

template <class To, class From>
[[gnu::always_inline]] inline void cast_loop(const From* x, To* y, Index n) {
  for (Index i = 0; i < n; ++i) y[i] = detail::cast_element<To>(x[i]);
}

// y[b, e) = x[b, e) converted; one function for every pair of types so that each ISA clone
// holds every loop.
STRATA_ISA_CLONES void cast_range(DType from, DType to, const void* x, void* y, Index b, Index e) {
  detail::with_element_type(from, [&](auto f) {
    detail::with_element_type(to, [&](auto t) {
      using From = decltype(f);
      using To = decltype(t);
      cast_loop(static_cast<const From*>(x) + b, static_cast<To*>(y) + b, e - b);
    });
  });
}

}  // namespace

void CpuBackend::cast(const Tensor& x, Tensor& y) {
  if (x.dtype() == y.dtype()) {
    copy(x, y);
    return;
  }
  const void* px = x.raw();
  void* py = y.raw();
  cpu::parallel_range(x.size(), cpu::kSerialCheap,
                      [&](Index b, Index e) { cast_range(x.dtype(), y.dtype(), px, py, b, e); });
}

bool CpuBackend::supports(std::string_view op, DType dtype) const { return host_supports(op, dtype); }

}  // namespace strata::backends
