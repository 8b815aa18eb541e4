#include "strata/layers/conv2d_transpose.hpp"

#include <nlohmann/json.hpp>

#include "layers/conv_geometry.hpp"
#include "strata/error.hpp"

// The transposed convolution is the input gradient of a convolution C that maps this layer's
// output (n, oh, ow, filters) to its input (n, h, w, channels) with the same strides and
// dilation and the padding detail::deconv_axis derives from Keras's rules. C's kernel
// (kh, kw, filters, channels) is exactly this layer's kernel, so:
//   forward   y  = conv2d_backward_data(x, K) + bias, then the activation;
//   backward  dx = conv2d_forward(dz, K), dK = conv2d_backward_weights(dz, x), db = sum of dz.

namespace strata {
inline namespace layers {

struct Conv2DTranspose::Geometry {
  detail::ConvAxis h, w;
};

Conv2DTranspose::Conv2DTranspose(std::int64_t filters, Size2 kernel_size, const std::string& activation,
                                 Conv2DTransposeOptions options)
    : LayerOf<Conv2DTranspose>("conv2d_transpose", LayerOptions{options.name, options.input_shape, options.dtype}),
      filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)) {
  set_activity_regularizer(detail::activity_of(options_.activity_regularizer));
  // Keras's order of checks (BaseConvTranspose.__init__).
  padding_ = detail::check_conv_args(kernel_size_, options_.strides, options_.dilation_rate, options_.padding, false);
  if (options_.output_padding)
    detail::check_tuple_argument("output_padding", detail::per_axis(*options_.output_padding), true);
  activation_ = ActivationFunction::from_name(activation);
  detail::check_positive_argument("filters", filters_);
  if (options_.output_padding) {
    const auto op = detail::per_axis(*options_.output_padding);
    const auto strides = detail::per_axis(options_.strides);
    for (std::size_t i = 0; i < 2; ++i)
      STRATA_CHECK(op[i] < strides[i], ValueError,
                   "`output_padding` must be strictly less than `strides` for all dimensions. At dimension ", i,
                   ", `output_padding` is ", op[i], " but `strides` is ", strides[i],
                   ". Received: output_padding=", detail::tuple_text(op), ", strides=", detail::tuple_text(strides));
  }
  detail::check_strides_and_dilation(options_.strides, options_.dilation_rate);
  input_spec_.min_ndim = 4;
}

Conv2DTranspose::Geometry Conv2DTranspose::geometry(const Shape& input_shape) const {
  const auto& op = options_.output_padding;
  return {detail::deconv_axis(input_shape[1], kernel_size_.h, options_.strides.h, options_.dilation_rate.h, padding_,
                              op ? std::optional<std::int64_t>(op->h) : std::nullopt),
          detail::deconv_axis(input_shape[2], kernel_size_.w, options_.strides.w, options_.dilation_rate.w, padding_,
                              op ? std::optional<std::int64_t>(op->w) : std::nullopt)};
}

Shape Conv2DTranspose::compute_output_shape(const Shape& input_shape) const {
  const Geometry g = geometry(input_shape);
  Shape out = input_shape;
  out[1] = g.h.out;
  out[2] = g.w.out;
  out[3] = filters_;
  return out;
}

Conv2DParams Conv2DTranspose::params_for(const Shape& input_shape) const {
  const Geometry g = geometry(input_shape);
  return detail::conv2d_params(g.h, g.w, options_.strides, options_.dilation_rate);
}

void Conv2DTranspose::build_weights(const Shape& input_shape) {
  const std::int64_t channels = detail::conv_input_channels(input_shape, 4, name());
  const Shape out = compute_output_shape(input_shape);
  STRATA_CHECK((out[1] == kNone || out[1] > 0) && (out[2] == kNone || out[2] > 0), ValueError,
               "Computed output size would be zero or negative. Received `inputs shape=", input_shape.to_string(),
               "`, output shape ", out.to_string(), ".");
  kernel_ = &add_weight("kernel", {kernel_size_.h, kernel_size_.w, filters_, channels}, *options_.kernel_initializer);
  detail::attach(*kernel_, options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = &add_weight("bias", {filters_}, *options_.bias_initializer);
    detail::attach(*bias_, options_.bias_regularizer, options_.bias_constraint);
  }
  input_spec_.axes = {{-1, channels}};
}

Tensor Conv2DTranspose::forward(const Tensor& x, bool training) {
  const Shape out_shape = compute_output_shape(x.shape());
  detail::check_output_not_empty(name(), x.shape(), out_shape);
  const Conv2DParams p = params_for(x.shape());
  Backend& b = backend();
  Tensor& y = buffer(detail::kConvOutput, out_shape);
  // No backend op fuses an activation into conv2d_backward_data, so it always runs apart.
  const bool linear = activation_.kind == ActivationKind::Linear;
  Tensor& pre = linear ? y : buffer(detail::kConvPreActivation, out_shape);
  b.conv2d_backward_data(x, kernel_->value, p, pre);
  if (bias_) {
    Tensor rows = pre.reshaped({out_shape.num_elements() / filters_, filters_});
    b.add_bias(rows, bias_->value, rows);
  }
  if (!linear) b.activation_forward(activation_, pre, y);
  if (training) {
    save(detail::kSavedInput, x);
    save(detail::kSavedOutput, y);
    save(detail::kSavedPre, activation_.backward_from_output() ? Tensor() : pre);
  }
  return y;
}

Tensor Conv2DTranspose::backward_impl(const Tensor& dy, bool need_input_grad) {
  const Tensor& input = saved(detail::kSavedInput);
  const Shape out_shape = saved(detail::kSavedOutput).shape();
  const Conv2DParams p = params_for(input.shape());
  Backend& b = backend();
  const Tensor dz = detail::pre_activation_grad(
      b, activation_, [this](std::size_t slot) -> const Tensor& { return saved(slot); }, dy,
      [&](std::size_t slot) -> Tensor& { return buffer(slot, out_shape); });
  if (trainable()) {
    b.conv2d_backward_weights(dz, input, p, kernel_->grad, nullptr);
    if (bias_) b.sum_rows(dz.reshaped({dz.size() / filters_, filters_}), bias_->grad);
  }
  if (!need_input_grad) return {};
  Tensor& dx = buffer(detail::kConvInputGrad, input.shape());
  b.conv2d_forward(dz, kernel_->value, nullptr, ActivationFunction{}, p, dx);
  return dx;
}

nlohmann::json Conv2DTranspose::get_config() const {
  nlohmann::json config = Layer::get_config();
  config["filters"] = filters_;
  config["output_padding"] = options_.output_padding ? detail::size_to_json(*options_.output_padding) : nullptr;
  detail::write_conv_config(config, kernel_size_, activation_, options_);
  detail::write_weight_config(config, "kernel", options_.kernel_initializer, options_.kernel_regularizer,
                              options_.kernel_constraint);
  return config;
}

std::shared_ptr<Layer> Conv2DTranspose::from_config(const nlohmann::json& config) {
  auto options = detail::read_conv_options<Conv2DTransposeOptions>(config, "Conv2DTranspose");
  options.output_padding = detail::size_from_config(config, "output_padding");
  options.kernel_initializer =
      detail::initializer_from_config(config, "kernel_initializer", options.kernel_initializer);
  options.kernel_regularizer = detail::regularizer_from_config(config, "kernel_regularizer");
  options.kernel_constraint = detail::constraint_from_config(config, "kernel_constraint");
  auto layer = std::make_shared<Conv2DTranspose>(config.at("filters").get<std::int64_t>(),
                                                 detail::kernel_size_from_config<Size2>(config),
                                                 detail::activation_from_config(config), options);
  layer->read_base_config(config);
  return layer;
}

}  // namespace layers
}  // namespace strata
