#include "strata/layers/conv1d.hpp"

#include <nlohmann/json.hpp>

#include "layers/conv_geometry.hpp"
#include "strata/error.hpp"

// Conv1D runs as a 2-D convolution over (n, 1, steps, channels) with the kernel viewed as
// (1, k, in / groups, filters): the same memory, so weights and gradients need no copies.

namespace strata {
inline namespace layers {

Conv1D::Conv1D(std::int64_t filters, std::int64_t kernel_size, const std::string& activation, Conv1DOptions options)
    : LayerOf<Conv1D>("conv1d", LayerOptions{options.name, options.input_shape, options.dtype}),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)) {
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
  padding_ = detail::check_conv_args(kernel_size_, options_.strides, options_.dilation_rate, options_.padding, true);
  activation_ = ActivationFunction::from_name(activation);
  detail::check_positive_argument("filters", filters_);
  detail::check_groups(filters_, options_.groups);
  detail::check_strides_and_dilation(options_.strides, options_.dilation_rate);
  input_spec_.min_ndim = 3;
}

Shape Conv1D::compute_output_shape(const Shape& input_shape) const {
  Shape out = input_shape;
  out[1] = detail::conv_axis(input_shape[1], kernel_size_, options_.strides, options_.dilation_rate, padding_).out;
  out[2] = filters_;
  return out;
}

Conv2DParams Conv1D::params_for(const Shape& input_shape) const {
  const detail::ConvAxis steps =
      detail::conv_axis(input_shape[1], kernel_size_, options_.strides, options_.dilation_rate, padding_);
  return detail::conv2d_params(detail::ConvAxis{1, 0, 0}, steps, Size2(1, options_.strides),
                               Size2(1, options_.dilation_rate), options_.groups);
}

void Conv1D::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::conv_input_channels(input_shape, 3, name());
  detail::check_channel_groups(input_shape, channels, options_.groups);
  detail::check_conv_output(input_shape, kernel_size_, filters_, options_.strides, options_.dilation_rate, padding_);
  kernel_ = &add_weight("kernel", {kernel_size_, channels / options_.groups, filters_}, *options_.kernel_initializer);
  detail::attach(*kernel_, options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = &add_weight("bias", {filters_}, *options_.bias_initializer);
    detail::attach(*bias_, options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_.axes = {{-1, channels}};
}

Tensor Conv1D::forward(const Tensor& x, bool training) {
  const Shape& s = x.shape();
  const Shape out3 = compute_output_shape(s);
  detail::check_output_not_empty(name(), s, out3);
  const Conv2DParams p = params_for(s);
  const Tensor x4 = x.reshaped({s[0], 1, s[1], s[2]});
  const Tensor& kernel = compute_value(*kernel_);
  const Tensor w4 = kernel.reshaped({1, kernel.shape()[0], kernel.shape()[1], kernel.shape()[2]});
  const Shape out_shape{s[0], 1, out3[1], filters_};
  Backend& b = backend();
  const Tensor* bias = bias_ ? &bias_->value : nullptr;
  Tensor pre;
  Tensor& y = detail::activated_forward(
      b, activation_, pre, [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape, x.dtype()); },
      [&](const ActivationFunction& fused, Tensor& out) { b.conv2d_forward(x4, w4, bias, fused, p, out); });
  if (training) {  // the 4-D views the 2-D convolution ran on
    save(detail::kSavedInput, x4);
    save(detail::kSavedOutput, y);
    save(detail::kSavedPre, pre);
  }
  return y.reshaped(out3);
}

Tensor Conv1D::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(detail::kSavedInput);
  const Shape& in = input.shape();
  const Shape out = saved(detail::kSavedOutput).shape();
  const Conv2DParams p = params_for({in[0], in[2], in[3]});
  Backend& b = backend();
  const Tensor dz = detail::pre_activation_grad(
      b, activation_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy.reshaped(out),
      [&](std::size_t slot) -> Tensor& { return buffer(slot, out, dy.dtype()); });
  const Shape& k = kernel_->value.shape();
  const Shape k4{1, k[0], k[1], k[2]};
  if (trainable()) {
    Tensor dw = kernel_->grad.reshaped(k4);
    b.conv2d_backward_weights(input, dz, p, dw, bias_ ? &bias_->grad : nullptr);
  }
  if (!need_input_grad) return {};
  Tensor& dx = buffer(detail::kConvInputGrad, in, input.dtype());
  b.conv2d_backward_data(dz, compute_value(*kernel_).reshaped(k4), p, dx);
  return dx.reshaped({in[0], in[2], in[3]});
}

bool Conv1D::computes_in(DType dtype) const { return detail::conv_computes_in(backend(), dtype); }

nlohmann::json Conv1D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["filters"] = filters_;
  config["groups"] = options_.groups;
  detail::write_conv_config(config, kernel_size_, activation_, options_);
  detail::write_weight_config(config, "kernel", options_.kernel_initializer, options_.kernel_regularizer,
                              options_.kernel_constraint);
  return config;
}

std::shared_ptr<Layer> Conv1D::from_config(const nlohmann::json& config) {
  auto options = detail::read_conv_options<Conv1DOptions>(config, "Conv1D");
  options.groups = config.value("groups", options.groups);
  options.kernel_initializer =
      detail::initializer_from_config(config, "kernel_initializer", options.kernel_initializer);
  options.kernel_regularizer = detail::regularizer_from_config(config, "kernel_regularizer");
  options.kernel_constraint = detail::constraint_from_config(config, "kernel_constraint");
  auto layer = std::make_shared<Conv1D>(config.at("filters").get<std::int64_t>(),
                                        detail::kernel_size_from_config<std::int64_t>(config),
                                        detail::activation_from_config(config), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
