#pragma once
// Private to metrics/: the running states the metrics keep on their backend, read back only in
// result(), and the checks every update_state makes on its tensors.

#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"

namespace strata::metrics::detail {

/// The state on `backend`, allocated with `shape` and zeroed at the first call; a metric stays on
/// the backend of the first y_pred it sees.
inline Tensor& state_on(Tensor& state, Backend& backend, const std::string& name, const Shape& shape = Shape{2}) {
  if (!state.defined()) {
    state = Tensor(backend, shape);
    backend.fill(state, 0.f);
  }
  STRATA_CHECK(&state.backend() == &backend, ValueError, "Metric \"", name, "\" keeps its state on backend \"",
               state.backend().name(), "\" but received y_pred on backend \"", backend.name(), "\"");
  return state;
}

/// The whole state, read back from the device; empty when nothing was counted yet.
inline std::vector<float> read_state(const Tensor& state) {
  if (!state.defined()) return {};
  std::vector<float> host(static_cast<std::size_t>(state.size()));
  state.backend().download(state, host.data());
  return host;
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

/// y_true and y_pred defined and on one backend; returns that backend.
inline Backend& pair_backend(const Tensor& y_true, const Tensor& y_pred, const std::string& name) {
  STRATA_CHECK(y_true.defined() && y_pred.defined(), ValueError, "Metric \"", name,
               "\": y_true and y_pred must both be defined tensors");
  Backend& backend = y_pred.backend();
  STRATA_CHECK(&y_true.backend() == &backend, ValueError, "Metric \"", name, "\": y_true lives on backend \"",
               y_true.backend().name(), "\" but y_pred on \"", backend.name(), "\"");
  return backend;
}

/// The sample weight as an (n,) view, checked: on `backend`, n elements (any shape holding
/// them: (n,) or (n, 1)). Null stays null; `view` holds the reshaped tensor.
inline const Tensor* weight_view(const Tensor* sample_weight, Backend& backend, std::int64_t n, const std::string& name,
                                 Tensor& view) {
  if (!sample_weight) return nullptr;
  STRATA_CHECK(sample_weight->defined(), ValueError, "Metric \"", name,
               "\": sample_weight must be a defined tensor (or null for no weights)");
  STRATA_CHECK(&sample_weight->backend() == &backend, ValueError, "Metric \"", name,
               "\": sample_weight lives on backend \"", sample_weight->backend().name(), "\" but y_pred on \"",
               backend.name(), "\"");
  STRATA_CHECK(sample_weight->size() == n, ShapeError, "Metric \"", name,
               "\": sample_weight must hold one weight per sample: expected shape (", n,
               ",), received sample_weight.shape=", sample_weight->shape().to_string());
  view = sample_weight->reshaped(Shape{n});
  return &view;
}

}  // namespace strata::metrics::detail
