#include "strata/layers/reshape.hpp"

#include <nlohmann/json.hpp>

#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Reshape::Reshape(Shape target_shape, LayerOptions options)
    : LayerOf<Reshape>("reshape", options), target_shape_(std::move(target_shape)) {
  int unknown = 0;
  for (auto d : target_shape_.dims()) {
    STRATA_CHECK(d > 0 || d == -1, ValueError, "Reshape target_shape must hold positive sizes or one -1, received ",
                 target_shape_.to_string());
    unknown += d == -1;
  }
  STRATA_CHECK(unknown <= 1, ValueError, "Reshape target_shape may contain at most one -1, received ",
               target_shape_.to_string());
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
  std::vector<std::int64_t> dims{input_shape[0]};
  const std::int64_t known = [&] {
    std::int64_t n = 1;
    for (auto d : target_shape_.dims()) n *= d > 0 ? d : 1;
    return n;
  }();
  bool input_known = true;
  std::int64_t features = 1;
  for (std::size_t axis = 1; axis < input_shape.rank(); ++axis) {
    input_known &= input_shape.dims()[axis] > 0;
    features *= input_shape.dims()[axis];
  }
  for (auto d : target_shape_.dims()) {
    if (d > 0) {
      dims.push_back(d);
    } else if (input_known) {
      STRATA_CHECK(features % known == 0, ShapeError, "The total size of the input ", input_shape.to_string(),
                   " is not compatible with target_shape ", target_shape_.to_string());
      dims.push_back(features / known);
    } else {
      dims.push_back(kNone);
    }
  }
  if (input_known && features != Shape(std::vector<std::int64_t>(dims.begin() + 1, dims.end())).num_elements())
    throw ShapeError(detail::concat("The total size of the input ", input_shape.to_string(),
                                    " does not match target_shape ", target_shape_.to_string(), " of layer \"",
                                    name(), "\""));
  return Shape(dims);
}

void Reshape::build_weights(const Shape& input_shape) { compute_output_shape(input_shape); }

Tensor Reshape::forward(const Tensor& x, bool training) {
  if (training) saved_shape(0) = x.shape();
  return x.reshaped(compute_output_shape(x.shape()));
}

Tensor Reshape::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Shape& input_shape = saved_shape(0);
  STRATA_CHECK(input_shape.rank() > 0, StateError, "layer \"", name(), "\": backward() before a training call");
  if (!need_input_grad) return {};
  return dy.reshaped(input_shape);
}

nlohmann::json Reshape::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["target_shape"] = target_shape_.to_vector();
  return config;
}

std::shared_ptr<Layer> Reshape::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<Reshape>(Shape(config.at("target_shape").get<std::vector<std::int64_t>>()),
                                         LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
