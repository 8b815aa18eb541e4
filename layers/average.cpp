#include "strata/layers/average.hpp"

#include <nlohmann/json.hpp>

#include "layers/merging.hpp"

namespace strata {
inline namespace layers {

Average::Average(LayerOptions options) : LayerOf<Average>("average", options) {}

Shape Average::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  return detail::elementwise_merge_shape(detail::MergeKind::Average, input_shapes);
}

void Average::build_weights_inputs(std::span<const Shape> input_shapes) {
  compute_output_shape_inputs(input_shapes);  // Keras's Merge.build only checks the shapes
}

Tensor Average::forward_inputs(std::span<const Tensor> inputs, bool) {
  return detail::elementwise_forward(detail::MergeCall(*this), detail::MergeKind::Average, inputs);
}

void Average::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  detail::elementwise_backward(detail::MergeCall(*this), detail::MergeKind::Average, dy, dxs, need_mask);
}

std::shared_ptr<Layer> Average::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Average>(LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

std::shared_ptr<const Tensor> Average::compute_mask(std::span<const Tensor> inputs) {
  return detail::any_of_masks(inputs, call_state<detail::MergeState>());
}

}  // namespace layers
}  // namespace strata
