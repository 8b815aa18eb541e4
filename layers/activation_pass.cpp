#include "layers/activation_pass.hpp"

#include "layers/layer_args.hpp"
#include "strata/backend.hpp"

namespace strata::detail {

namespace {
enum Saved : std::size_t { kSavedInput, kSavedOutput };
}  // namespace

bool activation_computes_in(const Backend& backend, DType dtype) {
  return supports_all(backend, dtype, {"activation_forward", "activation_backward"});
}

Tensor activation_layer_forward(const ActivationFunction& f, const Tensor& x, Tensor& y, bool training,
                                const std::function<void(std::size_t, const Tensor&)>& save) {
  y.backend().activation_forward(f, x, y);
  if (training) {
    save(kSavedInput, x);
    save(kSavedOutput, y);
  }
  return y;
}

Tensor activation_layer_backward(const ActivationFunction& f, const std::function<const Tensor&(std::size_t)>& saved,
                                 const Tensor& dy, bool need_input_grad,
                                 const std::function<Tensor&(const Shape&)>& dx_buffer) {
  const Tensor& output = saved(kSavedOutput);
  if (!need_input_grad) return {};
  Tensor& dx = dx_buffer(dy.shape());
  dx.backend().activation_backward(f, saved(kSavedInput), output, dy, dx);
  return dx;
}

}  // namespace strata::detail
