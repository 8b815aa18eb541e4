#include "strata/layers/reshape.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

// Keras's message, with the layer's name.
std::string size_error(const Shape& input_shape, const Shape& target_shape, const std::string& layer) {
  return detail::concat(
      "The total size of the tensor must be unchanged. Received: input_shape=", input_shape.without_batch().to_string(),
      ", target_shape=", detail::tuple_text(target_shape.dims()), " (layer \"", layer, "\")");
}

}  // namespace

Reshape::Reshape(Shape target_shape, LayerOptions options)
    : LayerOf<Reshape>("reshape", options), target_shape_(std::move(target_shape)) {
  // Keras's messages. Keras also accepts a size of 0, which no input with data can match;
  // Strata refuses it here.
  const std::string target = detail::tuple_text(target_shape_.dims());
  int unknown = 0;
  for (auto d : target_shape_.dims()) {
    STRATA_CHECK(d > 0 || d == -1, ValueError,
                 "Each dimension in `target_shape` must be a positive integer, or `-1` for a single unknown "
                 "dimension. Received: target_shape=",
                 target, ".");
    unknown += d == -1;
  }
  STRATA_CHECK(unknown <= 1, ValueError,
               "There must be at most one unknown dimension (-1) in `target_shape`. Received: target_shape=", target,
               ".");
}

Shape Reshape::compute_output_shape(const Shape& input_shape) const {
  std::vector<std::int64_t> dims{input_shape[0]};
  const std::int64_t known = [&] {
    std::int64_t n = 1;
    for (auto d : target_shape_.dims()) n = checked_multiply(n, d > 0 ? d : 1, "Reshape's target size");
    return n;
  }();
  bool input_known = true;
  std::int64_t features = 1;
  for (std::size_t axis = 1; axis < input_shape.rank(); ++axis) {
    input_known &= input_shape.dims()[axis] > 0;
    if (input_known) features = checked_multiply(features, input_shape.dims()[axis], "Reshape's input size");
  }
  for (auto d : target_shape_.dims()) {
    if (d > 0) {
      dims.push_back(d);
    } else if (input_known) {
      STRATA_CHECK(features % known == 0, ShapeError, size_error(input_shape, target_shape_, name()));
      dims.push_back(features / known);
    } else {
      dims.push_back(kNone);
    }
  }
  if (input_known && features != Shape(std::vector<std::int64_t>(dims.begin() + 1, dims.end())).num_elements())
    throw ShapeError(size_error(input_shape, target_shape_, name()));
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
