#include "strata/layers/layer_normalization.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

// Inference calls write their statistics apart, so they never disturb a pending backward.
enum Slot : std::size_t { kOutput, kMean, kRstd, kInputGrad, kInferenceMean, kInferenceRstd };
// A training call saves the (rows, c) view of its input (tensor 0) and the input's shape as
// received (shape 0); its statistics stay in its kMean and kRstd buffers.

}  // namespace

LayerNormalization::LayerNormalization(LayerNormalizationOptions options)
    : LayerOf<LayerNormalization>("layer_normalization",
                                  LayerOptions{options.name, options.input_shape, options.dtype}),
      options_(std::move(options)) {
  STRATA_CHECK(options_.epsilon > 0, ValueError,
               "LayerNormalization needs epsilon > 0. Received: epsilon=", options_.epsilon);
  input_spec_.min_ndim = 2;
}

void LayerNormalization::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::last_axis_size(options_.axis, input_shape, name(), class_name());
  if (options_.scale) {
    gamma_ = &add_weight("gamma", {channels}, *options_.gamma_initializer);
    detail::attach(*gamma_, options_.gamma_regularizer, options_.gamma_constraint);
  }
  if (options_.center) {
    beta_ = &add_weight("beta", {channels}, *options_.beta_initializer);
    detail::attach(*beta_, options_.beta_regularizer, options_.beta_constraint);
  }
  input_spec_.axes = {{-1, channels}};
}

Tensor LayerNormalization::forward(const Tensor& x, bool training) {
  const std::int64_t channels = x.shape()[-1];
  const std::int64_t rows = x.size() / channels;
  const Tensor x2 = x.reshaped({rows, channels});
  Tensor& y = buffer(kOutput, x2.shape());
  backend().layer_norm_forward(
      x2, gamma_ ? &gamma_->value : nullptr, beta_ ? &beta_->value : nullptr, static_cast<float>(options_.epsilon), y,
      buffer(training ? kMean : kInferenceMean, {rows}), buffer(training ? kRstd : kInferenceRstd, {rows}));
  if (training) {
    save(0, x2);
    saved_shape(0) = x.shape();
  }
  return y.reshaped(x.shape());
}

Tensor LayerNormalization::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(0);
  const std::int64_t rows = input.shape()[0];
  const bool weight_grads = trainable();
  Tensor& dx = buffer(kInputGrad, input.shape());
  backend().layer_norm_backward(input, dy.reshaped(input.shape()), gamma_ ? &gamma_->value : nullptr,
                                buffer(kMean, {rows}), buffer(kRstd, {rows}), dx,
                                gamma_ && weight_grads ? &gamma_->grad : nullptr,
                                beta_ && weight_grads ? &beta_->grad : nullptr);
  if (!need_input_grad) return {};
  return dx.reshaped(saved_shape(0));
}

nlohmann::json LayerNormalization::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["axis"] = axis_as_list_ || built() ? nlohmann::json::array({options_.axis}) : nlohmann::json(options_.axis);
  config["epsilon"] = options_.epsilon;
  config["center"] = options_.center;
  config["scale"] = options_.scale;
  config["rms_scaling"] = false;
  config["beta_initializer"] = detail::initializer_json(options_.beta_initializer);
  config["gamma_initializer"] = detail::initializer_json(options_.gamma_initializer);
  config["beta_regularizer"] = detail::regularizer_json(options_.beta_regularizer);
  config["gamma_regularizer"] = detail::regularizer_json(options_.gamma_regularizer);
  config["beta_constraint"] = detail::constraint_json(options_.beta_constraint);
  config["gamma_constraint"] = detail::constraint_json(options_.gamma_constraint);
  return config;
}

std::shared_ptr<Layer> LayerNormalization::from_config(const nlohmann::json& config) {
  const std::string name = config.value("name", "");
  STRATA_CHECK(!config.value("rms_scaling", false), ValueError, "layer \"", name,
               "\": LayerNormalization with rms_scaling=True is not supported yet");
  LayerNormalizationOptions options;
  options.name = name;
  options.axis =
      detail::axis_from_config(config, options.axis, name, "LayerNormalization over several axes is not supported yet");
  options.epsilon = config.value("epsilon", options.epsilon);
  options.center = config.value("center", options.center);
  options.scale = config.value("scale", options.scale);
  options.beta_initializer = detail::initializer_from_config(config, "beta_initializer", options.beta_initializer);
  options.gamma_initializer = detail::initializer_from_config(config, "gamma_initializer", options.gamma_initializer);
  options.beta_regularizer = detail::regularizer_from_config(config, "beta_regularizer");
  options.gamma_regularizer = detail::regularizer_from_config(config, "gamma_regularizer");
  options.beta_constraint = detail::constraint_from_config(config, "beta_constraint");
  options.gamma_constraint = detail::constraint_from_config(config, "gamma_constraint");
  auto layer = std::make_shared<LayerNormalization>(options);
  layer->axis_as_list_ = config.contains("axis") && config["axis"].is_array();
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
