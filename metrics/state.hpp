#pragma once
// Private to metrics/: the (2,) [total, count] state every metric here keeps on its backend.

#include <string>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"

namespace strata::metrics::detail {

/// The state on `backend`, allocated and zeroed at the first call; a metric stays on the backend
/// of the first y_pred it sees.
inline Tensor& state_on(Tensor& state, Backend& backend, const std::string& name) {
  if (!state.defined()) {
    state = Tensor(backend, Shape{2});
    backend.fill(state, 0.f);
  }
  STRATA_CHECK(&state.backend() == &backend, ValueError, "Metric \"", name, "\" keeps its state on backend \"",
               state.backend().name(), "\" but received y_pred on backend \"", backend.name(), "\"");
  return state;
}

/// total / count, read back from the device; 0 when nothing was counted.
inline double state_result(const Tensor& state) {
  if (!state.defined()) return 0.0;
  float host[2] = {0.f, 0.f};
  state.backend().download(state, host);
  return host[1] == 0.f ? 0.0 : static_cast<double>(host[0]) / static_cast<double>(host[1]);
}

inline void state_reset(Tensor& state) {
  if (state.defined()) state.backend().fill(state, 0.f);
}

}  // namespace strata::metrics::detail
