#include "strata/layers/softmax.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation_pass.hpp"
#include "layers/layer_args.hpp"
#include "layers/masks.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {
constexpr ActivationFunction kSoftmax{ActivationKind::Softmax};
}

Softmax::Softmax(int axis, LayerOptions options) : LayerOf<Softmax>("softmax", options), axis_(axis) {
  input_spec_.min_ndim = 1;
}

void Softmax::build_weights(const Shape& input_shape) {
  detail::check_last_axis(axis_, input_shape, name(), class_name());
}

Tensor Softmax::forward(const Tensor& x, bool training) {
  Tensor& y = buffer(0, x.shape(), x.dtype());
  backend().activation_forward(kSoftmax, x, y);
  if (training) save(0, y);
  return y;
}

Tensor Softmax::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& output = saved(0);
  if (!need_input_grad) return {};
  Tensor& dx = buffer(1, dy.shape(), dy.dtype());
  backend().activation_backward(kSoftmax, Tensor(), output, dy, dx);
  return dx;
}

bool Softmax::computes_in(DType dtype) const { return detail::activation_computes_in(backend(), dtype); }

nlohmann::json Softmax::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["axis"] = axis_;
  return config;
}

std::shared_ptr<Layer> Softmax::from_config(const nlohmann::json& config) {
  const std::string name = config.value("name", "");
  const int axis = detail::axis_from_config(config, -1, name, "Softmax over several axes is not supported yet");
  auto layer = std::make_shared<Softmax>(axis, LayerOptions{.name = name});
  layer->read_base_config(config);
  return layer;
}

std::shared_ptr<const Tensor> Softmax::compute_mask(std::span<const Tensor> inputs) {
  detail::refuse_mask(inputs, name(), class_name(),
                      "adds a large negative number to the masked positions before the softmax");
  return nullptr;
}

}  // namespace layers
}  // namespace strata
