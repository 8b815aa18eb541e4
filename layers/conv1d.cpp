#include "strata/layers/conv1d.hpp"

#include <nlohmann/json.hpp>

#include "layers/conv_geometry.hpp"
#include "strata/error.hpp"

// Conv1D runs as a 2-D convolution over (n, 1, steps, channels) with the kernel viewed as
// (1, k, in / groups, filters): the same memory, so weights and gradients need no copies.

namespace strata {
inline namespace layers {

Conv1D::Conv1D(std::int64_t filters, std::int64_t kernel_size, const std::string& activation, Conv1DOptions options)
    : Layer("conv1d", options.name), filters_(filters), kernel_size_(kernel_size), options_(std::move(options)) {
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

void Conv1D::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::conv_input_channels(input_shape, 3, name());
  detail::check_channel_groups(input_shape, channels, options_.groups);
  detail::check_conv_output(input_shape, kernel_size_, filters_, options_.strides, options_.dilation_rate, padding_);
  kernel_ = &add_weight("kernel", {kernel_size_, channels / options_.groups, filters_}, *options_.kernel_initializer);
  if (options_.use_bias) bias_ = &add_weight("bias", {filters_}, *options_.bias_initializer);
  input_spec_.axes = {{-1, channels}};
}

Tensor Conv1D::forward(const Tensor& x, bool training) {
  const Shape& s = x.shape();
  const detail::ConvAxis steps =
      detail::conv_axis(s[1], kernel_size_, options_.strides, options_.dilation_rate, padding_);
  detail::check_output_not_empty(name(), s, compute_output_shape(s));
  const Conv2DParams p = detail::conv2d_params(detail::ConvAxis{1, 0, 0}, steps, Size2(1, options_.strides),
                                               Size2(1, options_.dilation_rate), options_.groups);
  const Tensor x4 = x.reshaped({s[0], 1, s[1], s[2]});
  const Tensor& kernel = kernel_->value;
  const Tensor w4 = kernel.reshaped({1, kernel.shape()[0], kernel.shape()[1], kernel.shape()[2]});
  const Shape out_shape{s[0], 1, steps.out, filters_};
  Backend& b = backend();
  const Tensor* bias = bias_ ? &bias_->value : nullptr;
  Tensor& y = detail::activated_forward(
      b, activation_, training, pre_, [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape); },
      [&](const ActivationFunction& fused, Tensor& out) { b.conv2d_forward(x4, w4, bias, fused, p, out); });
  if (training) {
    params_ = p;
    input_ = x4;
    output_ = y;
  }
  return y.reshaped({s[0], steps.out, filters_});
}

Tensor Conv1D::backward_impl(const Tensor& dy, bool need_input_grad) {
  STRATA_CHECK(input_.defined(), StateError, "layer \"", name(), "\": backward() before a training call");
  Backend& b = backend();
  const Shape& out = output_.shape();
  const Tensor dz = detail::pre_activation_grad(b, activation_, pre_, output_, dy.reshaped(out),
                                                [&](std::size_t slot) -> Tensor& { return buffer(slot, out); });
  const Shape& k = kernel_->value.shape();
  const Shape k4{1, k[0], k[1], k[2]};
  if (trainable()) {
    Tensor dw = kernel_->grad.reshaped(k4);
    b.conv2d_backward_weights(input_, dz, params_, dw, bias_ ? &bias_->grad : nullptr);
  }
  if (!need_input_grad) return {};
  const Shape& in = input_.shape();
  Tensor& dx = buffer(detail::kConvInputGrad, in);
  b.conv2d_backward_data(dz, kernel_->value.reshaped(k4), params_, dx);
  return dx.reshaped({in[0], in[2], in[3]});
}

nlohmann::json Conv1D::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["filters"] = filters_;
  config["groups"] = options_.groups;
  detail::write_conv_config(config, kernel_size_, activation_, options_);
  detail::write_weight_config(config, "kernel", options_.kernel_initializer);
  return config;
}

std::shared_ptr<Layer> Conv1D::from_config(const nlohmann::json& config) {
  auto options = detail::read_conv_options<Conv1DOptions>(config, "Conv1D");
  options.groups = config.value("groups", options.groups);
  options.kernel_initializer =
      detail::initializer_from_config(config, "kernel_initializer", options.kernel_initializer);
  auto layer = std::make_shared<Conv1D>(config.at("filters").get<std::int64_t>(),
                                        detail::kernel_size_from_config<std::int64_t>(config),
                                        detail::activation_from_config(config), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
