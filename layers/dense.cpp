#include "strata/layers/dense.hpp"

#include <nlohmann/json.hpp>

#include "layers/layer_args.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

namespace {

enum Slot : std::size_t { kOutput, kPreActivation, kPreActivationGrad, kInputGrad };
// What a training call saves: the 2-D view of its input, its output, and x W + b when the
// activation's gradient needs it; saved_shape(0) holds the input's shape as received.
enum Saved : std::size_t { kSavedInput, kSavedOutput, kSavedPre };

}  // namespace

Dense::Dense(std::int64_t units, const std::string& activation, DenseOptions options)
    : LayerOf<Dense>("dense", LayerOptions{options.name, options.input_shape, options.dtype}),
      units_(units),
      activation_(ActivationFunction::from_name(activation)),
      options_(std::move(options)) {
  STRATA_CHECK(units > 0, ValueError,
               "Received an invalid value for `units`, expected a positive integer. Received: units=", units);
  input_spec_.min_ndim = 2;
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
}

Shape Dense::compute_output_shape(const Shape& input_shape) const {
  Shape out = input_shape;
  out[-1] = units_;
  return out;
}

void Dense::build_weights(const Shape& input_shape) {
  const std::int64_t input_dim = input_shape[-1];
  STRATA_CHECK(input_dim > 0, ShapeError, "layer \"", name(),
               "\" needs a known last axis to build, received input shape ", input_shape.to_string());
  kernel_ = &add_weight("kernel", {input_dim, units_}, *options_.kernel_initializer);
  detail::attach(*kernel_, options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = &add_weight("bias", {units_}, *options_.bias_initializer);
    detail::attach(*bias_, options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_.axes = {{-1, input_dim}};
}

Tensor Dense::forward(const Tensor& x, bool training) {
  const std::int64_t input_dim = x.shape()[-1];
  const std::int64_t rows = x.size() / input_dim;
  const Tensor x2 = x.reshaped({rows, input_dim});
  Tensor& y = buffer(kOutput, {rows, units_}, x.dtype());
  Backend& b = backend();
  // The bias stays in its own dtype: a bf16 product adds an f32 bias before rounding once.
  const Tensor* bias = bias_ ? &bias_->value : nullptr;
  const Tensor& kernel = compute_value(*kernel_);
  Tensor pre;
  if (activation_.backward_from_output()) {
    b.dense_forward(x2, kernel, bias, activation_, y);
  } else {
    pre = buffer(kPreActivation, {rows, units_}, x.dtype());
    b.dense_forward(x2, kernel, bias, ActivationFunction{}, pre);
    b.activation_forward(activation_, pre, y);
  }
  if (training) {
    save(kSavedInput, x2);
    save(kSavedOutput, y);
    save(kSavedPre, pre);
    saved_shape(0) = x.shape();
  }
  return y.reshaped(compute_output_shape(x.shape()));
}

Tensor Dense::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(kSavedInput);
  Backend& b = backend();
  const std::int64_t rows = input.shape()[0];
  const Tensor dy2 = dy.reshaped({rows, units_});
  Tensor dz = dy2;
  if (activation_.kind != ActivationKind::Linear) {
    dz = buffer(kPreActivationGrad, {rows, units_}, dy.dtype());
    b.activation_backward(activation_, activation_.backward_from_output() ? Tensor() : saved(kSavedPre),
                          saved(kSavedOutput), dy2, dz);
  }
  if (trainable()) {
    b.matmul(input, true, dz, false, kernel_->grad);
    if (bias_) b.sum_rows(dz, bias_->grad);
  }
  if (!need_input_grad) return {};
  Tensor& dx = buffer(kInputGrad, input.shape(), input.dtype());
  b.matmul(dz, false, compute_value(*kernel_), true, dx);
  return dx.reshaped(saved_shape(0));
}

bool Dense::computes_in(DType dtype) const {
  return detail::supports_all(backend(), dtype,
                              {"dense_forward", "matmul", "activation_forward", "activation_backward", "sum_rows"});
}

nlohmann::json Dense::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["units"] = units_;
  config["activation"] = activation_.name();
  config["use_bias"] = options_.use_bias;
  config["kernel_initializer"] = detail::initializer_json(options_.kernel_initializer);
  config["bias_initializer"] = detail::initializer_json(options_.bias_initializer);
  // Keras's Dense names activity_regularizer only when it has one (Layer::get_config writes it).
  config["kernel_regularizer"] = detail::regularizer_json(options_.kernel_regularizer);
  config["bias_regularizer"] = detail::regularizer_json(options_.bias_regularizer);
  config["kernel_constraint"] = detail::constraint_json(options_.kernel_constraint);
  config["bias_constraint"] = detail::constraint_json(options_.bias_constraint);
  config["quantization_config"] = nullptr;
  return config;
}

std::shared_ptr<Layer> Dense::from_config(const nlohmann::json& config) {
  DenseOptions options;
  options.name = config.value("name", "");
  options.use_bias = config.value("use_bias", true);
  if (config.contains("kernel_initializer"))
    options.kernel_initializer = Initializer::from_config(config["kernel_initializer"]);
  if (config.contains("bias_initializer"))
    options.bias_initializer = Initializer::from_config(config["bias_initializer"]);
  options.kernel_regularizer = detail::regularizer_from_config(config, "kernel_regularizer");
  options.bias_regularizer = detail::regularizer_from_config(config, "bias_regularizer");
  options.kernel_constraint = detail::constraint_from_config(config, "kernel_constraint");
  options.bias_constraint = detail::constraint_from_config(config, "bias_constraint");
  const std::string activation = config.contains("activation") && config["activation"].is_string()
                                     ? config["activation"].get<std::string>()
                                     : "linear";
  auto layer = std::make_shared<Dense>(config.at("units").get<std::int64_t>(), activation, options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
