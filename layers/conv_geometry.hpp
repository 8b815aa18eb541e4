#pragma once
// Shared by the convolution layers (Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D,
// SeparableConv2D): Keras's padding and output-size arithmetic, its argument checks with its
// messages, the activation around the backend op and the config keys they all write. Private
// to layers/; the int-or-tuple arguments themselves are layers/layer_args.hpp's.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "layers/layer_args.hpp"
#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/layers/conv_args.hpp"
#include "strata/shape.hpp"

namespace strata::detail {

// ---- arguments -----------------------------------------------------------------------------

/// A convolution argument's values per axis, for the checks and messages that take tuples.
inline std::array<std::int64_t, 1> per_axis(std::int64_t value) { return {value}; }
inline std::array<std::int64_t, 2> per_axis(Size2 value) { return {value.h, value.w}; }
/// What the per-axis overloads below take: an int64 (1-D layers) or a Size2.
template <class Size>
concept ConvSize = std::same_as<Size, std::int64_t> || std::same_as<Size, Size2>;

/// Keras's BaseConv checks as far as the padding, in its order: kernel_size, strides and
/// dilation_rate > 0, then the padding string, rewritten as Keras's lower-case name.
template <ConvSize Size>
ConvPadding check_conv_args(const Size& kernel, const Size& strides, const Size& dilation, std::string& padding,
                            bool allow_causal) {
  check_tuple_argument("kernel_size", per_axis(kernel), false);
  check_tuple_argument("strides", per_axis(strides), false);
  check_tuple_argument("dilation_rate", per_axis(dilation), false);
  const ConvPadding parsed = parse_conv_padding(padding, allow_causal);
  padding = conv_padding_name(parsed);
  return parsed;
}

/// "Invalid value for argument `filters`. Expected a strictly positive value. Received filters=0."
void check_positive_argument(std::string_view name, std::int64_t value);
/// Keras's groups checks: groups > 0 and dividing filters.
void check_groups(std::int64_t filters, std::int64_t groups);
/// Keras's build-time check that groups divides the input's channels.
void check_channel_groups(const Shape& input_shape, std::int64_t channels, std::int64_t groups);

/// Keras's "`strides > 1` not supported in conjunction with `dilation_rate > 1`" check.
void check_strides_and_dilation(std::span<const std::int64_t> strides, std::span<const std::int64_t> dilation);
template <ConvSize Size>
void check_strides_and_dilation(const Size& strides, const Size& dilation) {
  check_strides_and_dilation(per_axis(strides), per_axis(dilation));
}

// ---- geometry ------------------------------------------------------------------------------

/// One spatial axis of a convolution: its output length (kNone for an unknown input length)
/// and the zeros read before and after the input.
struct ConvAxis {
  std::int64_t out = kNone;
  std::int64_t pad_before = 0;
  std::int64_t pad_after = 0;
};

/// Keras's rules: "valid" floor((in - (k - 1) d - 1) / s) + 1; "same" ceil(in / s) with
/// total = max((ceil(in / s) - 1) s + (k - 1) d + 1 - in, 0), before = total / 2; "causal"
/// pads (k - 1) d before only, so out = ceil(in / s).
ConvAxis conv_axis(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                   ConvPadding padding);
/// conv_axis for input axes 1 and 2 (rows, columns).
std::array<ConvAxis, 2> conv_axes(const Shape& input_shape, Size2 kernel, Size2 strides, Size2 dilation,
                                  ConvPadding padding);

/// A transposed convolution's axis (Keras's deconv output length and JAX's padding): `out` is
/// the transposed convolution's output length and pad_before / pad_after are the padding of the
/// equivalent forward convolution (from `out` back to `in`), with a negative after-padding
/// clamped to 0 (those rows never reach the input: the forward convolution's floor drops them).
ConvAxis deconv_axis(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                     ConvPadding padding, std::optional<std::int64_t> output_padding);

/// Throws Keras's "Computed output size would be zero or negative" ValueError when a known
/// spatial output length is not positive. Spatial axis i is input axis i + 1; the message shows
/// Keras's kernel shape (kernel..., input channels, out_channels).
void check_conv_output(const Shape& input_shape, std::span<const std::int64_t> kernel, std::int64_t out_channels,
                       std::span<const std::int64_t> strides, std::span<const std::int64_t> dilation,
                       ConvPadding padding);
template <ConvSize Size>
void check_conv_output(const Shape& input_shape, const Size& kernel, std::int64_t out_channels, const Size& strides,
                       const Size& dilation, ConvPadding padding) {
  check_conv_output(input_shape, per_axis(kernel), out_channels, per_axis(strides), per_axis(dilation), padding);
}

/// Keras builds with unknown spatial lengths; a call must still give a non-empty output.
void check_output_not_empty(std::string_view layer_name, const Shape& input_shape, const Shape& output_shape);

/// The backend's parameters for two axes.
Conv2DParams conv2d_params(const ConvAxis& h, const ConvAxis& w, Size2 strides, Size2 dilation,
                           std::int64_t groups = 1);

/// The input's channel count, which must be known to build; also checks the rank is `rank`.
std::int64_t conv_input_channels(const Shape& input_shape, std::size_t rank, std::string_view layer_name);

// ---- the activation around the op --------------------------------------------------------

/// Whether `backend` runs a convolution layer's ops (the convolution three ways and its
/// activation) in `dtype`: Conv2D's and Conv1D's Layer::computes_in.
inline bool conv_computes_in(const Backend& backend, DType dtype) {
  return supports_all(backend, dtype,
                      {"conv2d_forward", "conv2d_backward_data", "conv2d_backward_weights", "activation_forward",
                       "activation_backward"});
}

/// The buffer slots the convolution layers share; SeparableConv2D adds its own after them.
enum ConvSlot : std::size_t { kConvOutput, kConvPreActivation, kConvPreActivationGrad, kConvInputGrad, kConvSlots };
/// The tensors a convolution layer's training call saves for backward (Layer::save slots);
/// kSavedPre only when the activation does not run fused (see activated_forward).
enum ConvSaved : std::size_t { kSavedInput, kSavedOutput, kSavedPre };

/// y = activation(op(...)) in slot kConvOutput of `buffer` (a callable slot -> Tensor&). When the
/// activation's gradient needs only its output it runs fused in the op, `op(activation, y)`, and
/// `pre` is left empty; otherwise the op writes slot kConvPreActivation, `op(linear, pre)`, and
/// `pre` is that buffer, for a training call to save for the gradient.
template <class Buffer, class Op>
Tensor& activated_forward(Backend& backend, const ActivationFunction& activation, Tensor& pre, Buffer&& buffer,
                          Op&& op) {
  Tensor& y = buffer(kConvOutput);
  if (activation.backward_from_output()) {
    op(activation, y);
    return y;
  }
  pre = buffer(kConvPreActivation);
  op(ActivationFunction{}, pre);
  backend.activation_forward(activation, pre, y);
  return y;
}

/// dL/d(pre-activation) from dy: dy itself under a linear activation, else slot
/// kConvPreActivationGrad of `buffer`. `saved` (a callable ConvSaved slot -> const Tensor&, the
/// layer's Layer::saved) gives what the training call kept.
template <class Saved, class Buffer>
Tensor pre_activation_grad(Backend& backend, const ActivationFunction& activation, Saved&& saved, const Tensor& dy,
                           Buffer&& buffer) {
  if (activation.kind == ActivationKind::Linear) return dy;
  Tensor& dz = buffer(kConvPreActivationGrad);
  backend.activation_backward(activation, activation.backward_from_output() ? Tensor() : saved(kSavedPre),
                              saved(kSavedOutput), dy, dz);
  return dz;
}

// ---- configs -------------------------------------------------------------------------------

/// `<weight>_initializer`, `<weight>_regularizer` and `<weight>_constraint` (null for none).
void write_weight_config(nlohmann::json& config, const std::string& weight, const Handle<Initializer>& initializer,
                         const std::optional<Handle<Regularizer>>& regularizer,
                         const std::optional<Handle<Constraint>>& constraint);

/// The keys every convolution layer writes alike from its options: kernel_size, strides,
/// padding, data_format, dilation_rate, activation, use_bias, the bias's keys and
/// activity_regularizer. The layer adds filters, groups, depth_multiplier, output_padding and
/// its kernels' keys.
template <class Options, class Size>
void write_conv_config(nlohmann::json& config, const Size& kernel_size, const ActivationFunction& activation,
                       const Options& options) {
  config["kernel_size"] = size_to_json(kernel_size);
  config["strides"] = size_to_json(options.strides);
  config["padding"] = options.padding;
  config["data_format"] = "channels_last";
  config["dilation_rate"] = size_to_json(options.dilation_rate);
  config["activation"] = activation.name();
  config["use_bias"] = options.use_bias;
  write_weight_config(config, "bias", options.bias_initializer, options.bias_regularizer, options.bias_constraint);
  // Layer::get_config wrote the layer's activity regularizer when it has one; the convolutions
  // write null otherwise, as Keras's do.
  if (!config.contains("activity_regularizer")) config["activity_regularizer"] = nullptr;
}

/// Reads what write_conv_config writes into the options, after checking data_format; the
/// layer reads its own keys (Layer::read_base_config reads activity_regularizer).
template <class Options>
Options read_conv_options(const nlohmann::json& config, std::string_view class_name) {
  check_channels_last(config, class_name);
  Options options;
  read_size(config, "strides", options.strides);
  options.padding = padding_from_config(config, "valid");
  read_size(config, "dilation_rate", options.dilation_rate);
  options.use_bias = config.value("use_bias", options.use_bias);
  options.bias_initializer = initializer_from_config(config, "bias_initializer", options.bias_initializer);
  options.bias_regularizer = regularizer_from_config(config, "bias_regularizer");
  options.bias_constraint = constraint_from_config(config, "bias_constraint");
  options.name = config.value("name", "");
  return options;
}

/// kernel_size, 0 when absent so that the layer's own check refuses it.
template <class Size>
Size kernel_size_from_config(const nlohmann::json& config) {
  Size kernel_size = 0;
  read_size(config, "kernel_size", kernel_size);
  return kernel_size;
}

}  // namespace strata::detail
