#include "strata/layers/depthwise_conv2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/conv_geometry.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

DepthwiseConv2D::DepthwiseConv2D(Size2 kernel_size, const std::string& activation, DepthwiseConv2DOptions options)
    : LayerOf<DepthwiseConv2D>("depthwise_conv2d", LayerOptions{options.name, options.input_shape, options.dtype}),
      kernel_size_(kernel_size),
      options_(std::move(options)) {
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
  // Keras's order of checks (BaseDepthwiseConv.__init__); Keras allows strides and dilation together here.
  padding_ = detail::check_conv_args(kernel_size_, options_.strides, options_.dilation_rate, options_.padding, false);
  activation_ = ActivationFunction::from_name(activation);
  detail::check_positive_argument("depth_multiplier", options_.depth_multiplier);
  input_spec_.min_ndim = 4;
}

Shape DepthwiseConv2D::compute_output_shape(const Shape& input_shape) const {
  const auto axes = detail::conv_axes(input_shape, kernel_size_, options_.strides, options_.dilation_rate, padding_);
  Shape out = input_shape;
  out[1] = axes[0].out;
  out[2] = axes[1].out;
  out[3] = input_shape[3] == kNone
               ? kNone
               : checked_multiply(input_shape[3], options_.depth_multiplier, "DepthwiseConv2D's output channels");
  return out;
}

Conv2DParams DepthwiseConv2D::params_for(const Shape& input_shape) const {
  const auto axes = detail::conv_axes(input_shape, kernel_size_, options_.strides, options_.dilation_rate, padding_);
  return detail::conv2d_params(axes[0], axes[1], options_.strides, options_.dilation_rate, input_shape[3]);
}

Shape DepthwiseConv2D::grouped_kernel_shape() const {
  const Shape& k = kernel_->value.shape();
  return {k[0], k[1], 1, k[2] * k[3]};
}

void DepthwiseConv2D::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::conv_input_channels(input_shape, 4, name());
  const std::int64_t out_channels =
      checked_multiply(channels, options_.depth_multiplier, "DepthwiseConv2D's output channels");
  detail::check_conv_output(input_shape, kernel_size_, out_channels, options_.strides, options_.dilation_rate,
                            padding_);
  kernel_ = &add_weight("kernel", {kernel_size_.h, kernel_size_.w, channels, options_.depth_multiplier},
                        *options_.depthwise_initializer);
  detail::attach(*kernel_, options_.depthwise_regularizer, options_.depthwise_constraint);
  if (options_.use_bias) {
    bias_ = &add_weight("bias", {out_channels}, *options_.bias_initializer);
    detail::attach(*bias_, options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_.axes = {{-1, channels}};
}

Tensor DepthwiseConv2D::forward(const Tensor& x, bool training) {
  const Conv2DParams p = params_for(x.shape());
  const Shape out_shape = compute_output_shape(x.shape());
  detail::check_output_not_empty(name(), x.shape(), out_shape);
  const Tensor kernel = kernel_->value.reshaped(grouped_kernel_shape());
  Backend& b = backend();
  const Tensor* bias = bias_ ? &bias_->value : nullptr;
  Tensor pre;
  Tensor& y = detail::activated_forward(
      b, activation_, pre, [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape); },
      [&](const ActivationFunction& fused, Tensor& out) { b.conv2d_forward(x, kernel, bias, fused, p, out); });
  if (training) {
    save(detail::kSavedInput, x);
    save(detail::kSavedOutput, y);
    save(detail::kSavedPre, pre);
  }
  return y;
}

Tensor DepthwiseConv2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(detail::kSavedInput);
  const Shape out_shape = saved(detail::kSavedOutput).shape();
  const Conv2DParams p = params_for(input.shape());
  Backend& b = backend();
  const Tensor dz = detail::pre_activation_grad(
      b, activation_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy,
      [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape); });
  if (trainable()) {
    Tensor dw = kernel_->grad.reshaped(grouped_kernel_shape());
    b.conv2d_backward_weights(input, dz, p, dw, bias_ ? &bias_->grad : nullptr);
  }
  if (!need_input_grad) return {};
  Tensor& dx = buffer(detail::kConvInputGrad, input.shape());
  b.conv2d_backward_data(dz, kernel_->value.reshaped(grouped_kernel_shape()), p, dx);
  return dx;
}

nlohmann::json DepthwiseConv2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["depth_multiplier"] = options_.depth_multiplier;
  detail::write_conv_config(config, kernel_size_, activation_, options_);
  detail::write_weight_config(config, "depthwise", options_.depthwise_initializer, options_.depthwise_regularizer,
                              options_.depthwise_constraint);
  return config;
}

std::shared_ptr<Layer> DepthwiseConv2D::from_config(const nlohmann::json& config) {
  auto options = detail::read_conv_options<DepthwiseConv2DOptions>(config, "DepthwiseConv2D");
  options.depth_multiplier = config.value("depth_multiplier", options.depth_multiplier);
  options.depthwise_initializer =
      detail::initializer_from_config(config, "depthwise_initializer", options.depthwise_initializer);
  options.depthwise_regularizer = detail::regularizer_from_config(config, "depthwise_regularizer");
  options.depthwise_constraint = detail::constraint_from_config(config, "depthwise_constraint");
  auto layer = std::make_shared<DepthwiseConv2D>(detail::kernel_size_from_config<Size2>(config),
                                                 detail::activation_from_config(config), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
