#include "strata/layers/multiply.hpp"

#include <nlohmann/json.hpp>

#include "layers/merging.hpp"

namespace strata {
inline namespace layers {

Multiply::Multiply(LayerOptions options) : LayerOf<Multiply>("multiply", options) {}

Shape Multiply::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  return detail::elementwise_merge_shape(detail::MergeKind::Multiply, input_shapes);
}

void Multiply::build_weights_inputs(std::span<const Shape> input_shapes) {
  compute_output_shape_inputs(input_shapes);  // Keras's Merge.build only checks the shapes
}

Tensor Multiply::forward_inputs(std::span<const Tensor> inputs, bool) {
  return detail::elementwise_forward(detail::MergeCall(*this), detail::MergeKind::Multiply, inputs);
}

void Multiply::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  detail::elementwise_backward(detail::MergeCall(*this), detail::MergeKind::Multiply, dy, dxs, need_mask);
}

std::shared_ptr<Layer> Multiply::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Multiply>(LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

std::shared_ptr<const Tensor> Multiply::compute_mask(std::span<const Tensor> inputs) {
  detail::refuse_mask(inputs, name(), class_name(),
                      "multiplies by 1 at the masked steps and zeroes the steps no input keeps");
  return nullptr;
}

}  // namespace layers
}  // namespace strata
