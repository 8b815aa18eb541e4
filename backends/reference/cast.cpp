// Backend::cast: one element at a time through the conversions every backend shares
// (backends/cast_element.hpp).

#include <cassert>

#include "backends/cast_element.hpp"
#include "backends/dtype_check.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

void ReferenceBackend::cast(const Tensor& x, Tensor& y) {
  assert(x.size() == y.size());
  const auto n = static_cast<std::size_t>(x.size());
  detail::with_element_type(x.dtype(), [&](auto from) {
    detail::with_element_type(y.dtype(), [&](auto to) {
      using From = decltype(from);
      using To = decltype(to);
      const From* px = x.data<const From>();
      To* py = y.data<To>();
      for (std::size_t i = 0; i < n; ++i) py[i] = detail::cast_element<To>(px[i]);
    });
  });
}

bool ReferenceBackend::supports(std::string_view op, DType dtype) const { return host_supports(op, dtype); }

}  // namespace strata::backends
