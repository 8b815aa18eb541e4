#include "strata/layers/minimum.hpp"

#include <nlohmann/json.hpp>

#include "layers/merging.hpp"

namespace strata {
inline namespace layers {

Minimum::Minimum(LayerOptions options) : LayerOf<Minimum>("minimum", options) {}

Shape Minimum::compute_output_shape_inputs(std::span<const Shape> input_shapes) const {
  return detail::elementwise_merge_shape(detail::MergeKind::Minimum, input_shapes);
}

void Minimum::build_weights_inputs(std::span<const Shape> input_shapes) {
  compute_output_shape_inputs(input_shapes);  // Keras's Merge.build only checks the shapes
}

Tensor Minimum::forward_inputs(std::span<const Tensor> inputs, bool) {
  return detail::elementwise_forward(detail::MergeCall(*this), detail::MergeKind::Minimum, inputs);
}

void Minimum::backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) {
  detail::elementwise_backward(detail::MergeCall(*this), detail::MergeKind::Minimum, dy, dxs, need_mask);
}

std::shared_ptr<Layer> Minimum::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Minimum>(LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

std::shared_ptr<const Tensor> Minimum::compute_mask(std::span<const Tensor> inputs) {
  detail::refuse_mask(inputs, name(), class_name(), "takes the other input's value at each masked step");
  return nullptr;
}

}  // namespace layers
}  // namespace strata
