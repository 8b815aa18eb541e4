#include "strata/layers/separable_conv2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/conv_geometry.hpp"
#include "strata/error.hpp"

// The depthwise step is a grouped convolution (groups = channels) without bias; the pointwise
// 1x1 convolution is a matrix product over the rows n * oh * ow, with the bias and the
// activation fused into dense_forward.

namespace strata {
inline namespace layers {

namespace {
// After the slots every convolution layer uses.
enum Slot : std::size_t { kMiddle = detail::kConvSlots, kMiddleGrad };
// A training call also saves the depthwise output (n, oh, ow, c * dm); its output and
// pre-activation are saved as rows (n * oh * ow, filters).
constexpr std::size_t kSavedMiddle = detail::kSavedPre + 1;
}  // namespace

SeparableConv2D::SeparableConv2D(std::int64_t filters, Size2 kernel_size, const std::string& activation,
                                 SeparableConv2DOptions options)
    : LayerOf<SeparableConv2D>("separable_conv2d", LayerOptions{options.name, options.input_shape, options.dtype}),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)) {
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
  // Keras's order of checks (BaseSeparableConv.__init__); Keras allows strides and dilation together here.
  padding_ = detail::check_conv_args(kernel_size_, options_.strides, options_.dilation_rate, options_.padding, false);
  activation_ = ActivationFunction::from_name(activation);
  detail::check_positive_argument("depth_multiplier", options_.depth_multiplier);
  detail::check_positive_argument("filters", filters_);
  input_spec_.min_ndim = 4;
}

Shape SeparableConv2D::compute_output_shape(const Shape& input_shape) const {
  const auto axes = detail::conv_axes(input_shape, kernel_size_, options_.strides, options_.dilation_rate, padding_);
  Shape out = input_shape;
  out[1] = axes[0].out;
  out[2] = axes[1].out;
  out[3] = filters_;
  return out;
}

Conv2DParams SeparableConv2D::params_for(const Shape& input_shape) const {
  const auto axes = detail::conv_axes(input_shape, kernel_size_, options_.strides, options_.dilation_rate, padding_);
  return detail::conv2d_params(axes[0], axes[1], options_.strides, options_.dilation_rate, input_shape[3]);
}

Shape SeparableConv2D::grouped_kernel_shape() const {
  const Shape& k = depthwise_kernel_->value.shape();
  return {k[0], k[1], 1, k[2] * k[3]};
}

Shape SeparableConv2D::pointwise_matrix_shape() const {
  const Shape& k = pointwise_kernel_->value.shape();
  return {k[2], k[3]};
}

void SeparableConv2D::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::conv_input_channels(input_shape, 4, name());
  detail::check_conv_output(input_shape, kernel_size_, filters_, options_.strides, options_.dilation_rate, padding_);
  const std::int64_t middle =
      checked_multiply(channels, options_.depth_multiplier, "SeparableConv2D's depthwise output channels");
  depthwise_kernel_ =
      &add_weight("depthwise_kernel", {kernel_size_.h, kernel_size_.w, channels, options_.depth_multiplier},
                  *options_.depthwise_initializer);
  detail::attach(*depthwise_kernel_, options_.depthwise_regularizer, options_.depthwise_constraint);
  pointwise_kernel_ = &add_weight("pointwise_kernel", {1, 1, middle, filters_}, *options_.pointwise_initializer);
  detail::attach(*pointwise_kernel_, options_.pointwise_regularizer, options_.pointwise_constraint);
  if (options_.use_bias) {
    bias_ = &add_weight("bias", {filters_}, *options_.bias_initializer);
    detail::attach(*bias_, options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_.axes = {{-1, channels}};
}

Tensor SeparableConv2D::forward(const Tensor& x, bool training) {
  const Conv2DParams p = params_for(x.shape());
  const Shape out_shape = compute_output_shape(x.shape());
  detail::check_output_not_empty(name(), x.shape(), out_shape);
  const std::int64_t rows = out_shape[0] * out_shape[1] * out_shape[2];
  const Shape pw = pointwise_matrix_shape();
  Backend& b = backend();
  Tensor& middle = buffer(kMiddle, {out_shape[0], out_shape[1], out_shape[2], pw[0]});
  b.conv2d_forward(x, depthwise_kernel_->value.reshaped(grouped_kernel_shape()), nullptr, ActivationFunction{}, p,
                   middle);
  const Tensor middle_rows = middle.reshaped({rows, pw[0]});
  const Tensor kernel = pointwise_kernel_->value.reshaped(pw);
  const Tensor* bias = bias_ ? &bias_->value : nullptr;
  Tensor pre;
  Tensor& y = detail::activated_forward(
      b, activation_, pre,
      [&](std::size_t slot) -> Tensor& {
        return buffer(slot, {rows, filters_});
      },
      [&](const ActivationFunction& fused, Tensor& out) { b.dense_forward(middle_rows, kernel, bias, fused, out); });
  if (training) {
    save(detail::kSavedInput, x);
    save(detail::kSavedOutput, y);
    save(detail::kSavedPre, pre);
    save(kSavedMiddle, middle);
  }
  return y.reshaped(out_shape);
}

Tensor SeparableConv2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(detail::kSavedInput);
  const Tensor& middle = saved(kSavedMiddle);
  const Shape rows_shape = saved(detail::kSavedOutput).shape();
  Backend& b = backend();
  const Tensor dz = detail::pre_activation_grad(
      b, activation_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy.reshaped(rows_shape),
      [&](std::size_t slot) -> Tensor& { return buffer(slot, rows_shape); });
  const bool train = trainable();
  if (!train && !need_input_grad) return {};
  const Shape pw = pointwise_matrix_shape();
  const std::int64_t rows = rows_shape[0];
  const Tensor middle_rows = middle.reshaped({rows, pw[0]});
  if (train) {
    Tensor dpw = pointwise_kernel_->grad.reshaped(pw);
    b.matmul(middle_rows, true, dz, false, dpw);
    if (bias_) b.sum_rows(dz, bias_->grad);
  }
  // dL/d(depthwise output), then through the depthwise convolution.
  Tensor& dmiddle = buffer(kMiddleGrad, middle.shape());
  Tensor dmiddle_rows = dmiddle.reshaped({rows, pw[0]});
  b.matmul(dz, false, pointwise_kernel_->value.reshaped(pw), true, dmiddle_rows);
  const Conv2DParams p = params_for(input.shape());
  if (train) {
    Tensor dw = depthwise_kernel_->grad.reshaped(grouped_kernel_shape());
    b.conv2d_backward_weights(input, dmiddle, p, dw, nullptr);
  }
  if (!need_input_grad) return {};
  Tensor& dx = buffer(detail::kConvInputGrad, input.shape());
  b.conv2d_backward_data(dmiddle, depthwise_kernel_->value.reshaped(grouped_kernel_shape()), p, dx);
  return dx;
}

nlohmann::json SeparableConv2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["depth_multiplier"] = options_.depth_multiplier;
  config["filters"] = filters_;
  detail::write_conv_config(config, kernel_size_, activation_, options_);
  detail::write_weight_config(config, "depthwise", options_.depthwise_initializer, options_.depthwise_regularizer,
                              options_.depthwise_constraint);
  detail::write_weight_config(config, "pointwise", options_.pointwise_initializer, options_.pointwise_regularizer,
                              options_.pointwise_constraint);
  return config;
}

std::shared_ptr<Layer> SeparableConv2D::from_config(const nlohmann::json& config) {
  auto options = detail::read_conv_options<SeparableConv2DOptions>(config, "SeparableConv2D");
  options.depth_multiplier = config.value("depth_multiplier", options.depth_multiplier);
  options.depthwise_initializer =
      detail::initializer_from_config(config, "depthwise_initializer", options.depthwise_initializer);
  options.depthwise_regularizer = detail::regularizer_from_config(config, "depthwise_regularizer");
  options.depthwise_constraint = detail::constraint_from_config(config, "depthwise_constraint");
  options.pointwise_initializer =
      detail::initializer_from_config(config, "pointwise_initializer", options.pointwise_initializer);
  options.pointwise_regularizer = detail::regularizer_from_config(config, "pointwise_regularizer");
  options.pointwise_constraint = detail::constraint_from_config(config, "pointwise_constraint");
  auto layer = std::make_shared<SeparableConv2D>(config.at("filters").get<std::int64_t>(),
                                                 detail::kernel_size_from_config<Size2>(config),
                                                 detail::activation_from_config(config), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
