#include "strata/layers/conv2d.hpp"

#include <nlohmann/json.hpp>

#include "layers/conv_geometry.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

Conv2D::Conv2D(std::int64_t filters, Size2 kernel_size, const std::string& activation, Conv2DOptions options)
    : LayerOf<Conv2D>("conv2d", LayerOptions{options.name, options.input_shape, options.dtype}),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)) {
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
  // Keras's order of checks (BaseConv.__init__).
  padding_ = detail::check_conv_args(kernel_size_, options_.strides, options_.dilation_rate, options_.padding, false);
  activation_ = ActivationFunction::from_name(activation);
  detail::check_positive_argument("filters", filters_);
  detail::check_groups(filters_, options_.groups);
  detail::check_strides_and_dilation(options_.strides, options_.dilation_rate);
  input_spec_.min_ndim = 4;
}

Shape Conv2D::compute_output_shape(const Shape& input_shape) const {
  const auto axes = detail::conv_axes(input_shape, kernel_size_, options_.strides, options_.dilation_rate, padding_);
  Shape out = input_shape;
  out[1] = axes[0].out;
  out[2] = axes[1].out;
  out[3] = filters_;
  return out;
}

Conv2DParams Conv2D::params_for(const Shape& input_shape) const {
  const auto axes = detail::conv_axes(input_shape, kernel_size_, options_.strides, options_.dilation_rate, padding_);
  return detail::conv2d_params(axes[0], axes[1], options_.strides, options_.dilation_rate, options_.groups);
}

void Conv2D::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::conv_input_channels(input_shape, 4, name());
  detail::check_channel_groups(input_shape, channels, options_.groups);
  detail::check_conv_output(input_shape, kernel_size_, filters_, options_.strides, options_.dilation_rate, padding_);
  kernel_ = &add_weight("kernel", {kernel_size_.h, kernel_size_.w, channels / options_.groups, filters_},
                        *options_.kernel_initializer);
  detail::attach(*kernel_, options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = &add_weight("bias", {filters_}, *options_.bias_initializer);
    detail::attach(*bias_, options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_.axes = {{-1, channels}};
}

Tensor Conv2D::forward(const Tensor& x, bool training) {
  const Conv2DParams p = params_for(x.shape());
  const Shape out_shape = compute_output_shape(x.shape());
  detail::check_output_not_empty(name(), x.shape(), out_shape);
  Backend& b = backend();
  const Tensor* bias = bias_ ? &bias_->value : nullptr;
  const Tensor& kernel = compute_value(*kernel_);
  Tensor pre;
  Tensor& y = detail::activated_forward(
      b, activation_, pre, [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape, x.dtype()); },
      [&](const ActivationFunction& fused, Tensor& out) { b.conv2d_forward(x, kernel, bias, fused, p, out); });
  if (training) {
    save(detail::kSavedInput, x);
    save(detail::kSavedOutput, y);
    save(detail::kSavedPre, pre);
  }
  return y;
}

Tensor Conv2D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(detail::kSavedInput);
  const Shape out_shape = saved(detail::kSavedOutput).shape();
  const Conv2DParams p = params_for(input.shape());
  Backend& b = backend();
  const Tensor dz = detail::pre_activation_grad(
      b, activation_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy,
      [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape, dy.dtype()); });
  if (trainable()) b.conv2d_backward_weights(input, dz, p, kernel_->grad, bias_ ? &bias_->grad : nullptr);
  if (!need_input_grad) return {};
  Tensor& dx = buffer(detail::kConvInputGrad, input.shape(), input.dtype());
  b.conv2d_backward_data(dz, compute_value(*kernel_), p, dx);
  return dx;
}

bool Conv2D::computes_in(DType dtype) const { return detail::conv_computes_in(backend(), dtype); }

nlohmann::json Conv2D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["filters"] = filters_;
  config["groups"] = options_.groups;
  detail::write_conv_config(config, kernel_size_, activation_, options_);
  detail::write_weight_config(config, "kernel", options_.kernel_initializer, options_.kernel_regularizer,
                              options_.kernel_constraint);
  return config;
}

std::shared_ptr<Layer> Conv2D::from_config(const nlohmann::json& config) {
  auto options = detail::read_conv_options<Conv2DOptions>(config, "Conv2D");
  options.groups = config.value("groups", options.groups);
  options.kernel_initializer =
      detail::initializer_from_config(config, "kernel_initializer", options.kernel_initializer);
  options.kernel_regularizer = detail::regularizer_from_config(config, "kernel_regularizer");
  options.kernel_constraint = detail::constraint_from_config(config, "kernel_constraint");
  auto layer =
      std::make_shared<Conv2D>(config.at("filters").get<std::int64_t>(), detail::kernel_size_from_config<Size2>(config),
                               detail::activation_from_config(config), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
