#include "strata/layers/time_distributed.hpp"

#include <nlohmann/json.hpp>

#include "api/saving/model_serialization.hpp"
#include "layers/masks.hpp"
#include "strata/error.hpp"
#include "strata/layers/batch_normalization.hpp"

namespace strata {
inline namespace layers {

namespace {

// Keras's _get_child_input_shape: (batch, *the axes after the steps).
Shape step_shape(const Shape& input_shape) {
  STRATA_CHECK(input_shape.rank() >= 3, ValueError,
               "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: ",
               input_shape.to_string());
  std::vector<std::int64_t> dims{input_shape[0]};
  dims.insert(dims.end(), input_shape.dims().begin() + 2, input_shape.dims().end());
  return Shape(dims);
}

// (batch, steps, *the axes of a step's `shape` after its batch).
Shape unfolded(const Shape& shape, std::int64_t batch, std::int64_t steps) {
  std::vector<std::int64_t> dims{batch, steps};
  dims.insert(dims.end(), shape.dims().begin() + 1, shape.dims().end());
  return Shape(dims);
}

// `layer` or one of its sublayers that is a BatchNormalization computing batch statistics in
// training (null: none).
const Layer* batch_statistics_layer(const Layer& layer) {
  if (const auto* bn = dynamic_cast<const BatchNormalization*>(&layer); bn != nullptr && bn->trainable()) return bn;
  for (const Layer* child : layer.sublayers())
    if (const Layer* found = batch_statistics_layer(*child)) return found;
  return nullptr;
}

}  // namespace

TimeDistributed::TimeDistributed(std::shared_ptr<Layer> layer, LayerOptions options)
    : LayerOf<TimeDistributed>("time_distributed", options), layer_(std::move(layer)) {
  STRATA_CHECK(layer_ != nullptr, ValueError,
               "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: None");
}

Shape TimeDistributed::compute_output_shape(const Shape& input_shape) const {
  const Shape child = layer_->compute_output_shape(step_shape(input_shape));
  return unfolded(child, child[0], input_shape[1]);
}

void TimeDistributed::build_weights_inputs(std::span<const Shape> input_shapes) {
  const Shape step = step_shape(input_shapes[0]);
  if (layer_->built()) return;  // a layer built before keeps its weights' paths, as in Keras
  layer_->build(step);
  // Keras creates them in this layer's name scope: "time_distributed/dense/kernel".
  for (Variable* v : layer_->weights()) v->path = detail::concat(name(), "/", v->path);
}

Tensor TimeDistributed::call(std::span<const Tensor> inputs, bool training) {
  STRATA_CHECK(inputs.size() == 1, ValueError, "TimeDistributed \"", name(), "\" takes one input tensor; received ",
               inputs.size());
  const Tensor& x = inputs[0];
  if (training) {
    const Layer* bn = batch_statistics_layer(*layer_);
    STRATA_CHECK(bn == nullptr, ValueError, "TimeDistributed \"", name(), "\": the BatchNormalization \"", bn->name(),
                 "\" it wraps cannot train inside it yet: Keras normalizes each time step with that step's own "
                 "batch statistics, and Strata folds the steps into the batch, which would mix them. Use it in "
                 "inference, or normalize the whole sequence with a BatchNormalization outside TimeDistributed");
  }
  STRATA_CHECK(!layer_->activity_regularizer(), ValueError, "TimeDistributed \"", name(), "\": the layer \"",
               layer_->name(),
               "\" it wraps has an activity_regularizer, which Keras 3's TimeDistributed never applies (it runs the "
               "layer's call() directly); remove it, or set one on the TimeDistributed layer instead");
  // One call on every step at once: folding the steps into the batch gives each (sample, step)
  // the row the per-step calls of Keras's loop would, for any layer that treats rows alike. A
  // symbolic batch is None, and so is the folded one.
  Shape folded_shape = step_shape(x.shape());
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1];
  folded_shape[0] = batch < 0 || steps < 0 ? kNone : batch * steps;
  Tensor folded = x.symbolic() ? Tensor::symbolic(folded_shape) : x.reshaped(folded_shape);
  if (x.mask() && layer_->supports_masking()) {
    // The mask folds with the steps, as Keras hands the layer each step's slice of it.
    const Shape mask_shape = folded_shape.without_last_axis();
    folded = folded.with_mask(x.symbolic() ? detail::symbolic_mask(mask_shape)
                                           : std::make_shared<const Tensor>(x.mask()->reshaped(mask_shape)));
  }
  const Tensor y = (*layer_)(folded, training);
  const Shape out_shape = unfolded(y.shape(), batch, steps);
  const Tensor out = x.symbolic() ? Tensor::symbolic(out_shape, nullptr, 0, y.dtype()) : y.reshaped(out_shape);
  // Keras 3's TimeDistributed keeps its input's mask (the default compute_mask).
  return out.with_mask(x.mask());
}

nlohmann::json TimeDistributed::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["layer"] = detail::serialize_layer(*layer_);
  return config;
}

std::shared_ptr<Layer> TimeDistributed::from_config(const nlohmann::json& config) {
  auto layer = std::make_shared<TimeDistributed>(detail::deserialize_layer(config.at("layer")),
                                                 LayerOptions{.name = config.value("name", "")});
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
