#include "layers/conv_geometry.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "strata/error.hpp"

namespace strata::detail {

namespace {

// Python's floor division (the valid-padding length can have a negative numerator).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// numpy's text for an int array: "[1 1]".
std::string numpy_text(std::span<const std::int64_t> values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ' ';
    out += std::to_string(values[i]);
  }
  return out + "]";
}

}  // namespace

void check_positive_argument(std::string_view name, std::int64_t value) {
  STRATA_CHECK(value > 0, ValueError, "Invalid value for argument `", name,
               "`. Expected a strictly positive value. Received ", name, "=", value, ".");
}

void check_groups(std::int64_t filters, std::int64_t groups) {
  STRATA_CHECK(groups > 0, ValueError, "The number of groups must be a positive integer. Received: groups=", groups,
               ".");
  STRATA_CHECK(filters % groups == 0, ValueError,
               "The number of filters must be evenly divisible by the number of groups. Received: groups=", groups,
               ", filters=", filters, ".");
}

void check_channel_groups(const Shape& input_shape, std::int64_t channels, std::int64_t groups) {
  STRATA_CHECK(
      channels % groups == 0, ValueError,
      "The number of input channels must be evenly divisible by the number of groups. Received groups=", groups,
      ", but the input has ", channels, " channels (full input shape is ", input_shape.to_string(), ").");
}

void check_strides_and_dilation(std::span<const std::int64_t> strides, std::span<const std::int64_t> dilation) {
  const bool strided = std::any_of(strides.begin(), strides.end(), [](std::int64_t s) { return s > 1; });
  const bool dilated = std::any_of(dilation.begin(), dilation.end(), [](std::int64_t d) { return d > 1; });
  STRATA_CHECK(!(strided && dilated), ValueError,
               "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=",
               tuple_text(strides), " and dilation_rate=", tuple_text(dilation));
}

namespace {

// The kernel's reach, (k - 1) d + 1, checked: an absurd kernel or dilation must fail here
// rather than wrap into a small extent that passes the output-size check.
std::int64_t kernel_extent(std::int64_t kernel, std::int64_t dilation) {
  constexpr std::string_view kWhat = "a convolution's dilated kernel size";
  return checked_add(checked_multiply(kernel - 1, dilation, kWhat), 1, kWhat);
}

}  // namespace

ConvAxis conv_axis(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                   ConvPadding padding) {
  const std::int64_t extent = kernel_extent(kernel, dilation);
  ConvAxis axis;
  switch (padding) {
    case ConvPadding::Valid:
      if (in != kNone) axis.out = floor_div(in - extent, stride) + 1;
      break;
    case ConvPadding::Same:
      if (in != kNone) {
        axis.out = in / stride + (in % stride != 0);  // ceil(in / s) without forming in + s - 1
        // (out - 1) s <= in - 1 and extent >= 1, so only the sum with the extent can overflow.
        const std::int64_t total =
            std::max<std::int64_t>(checked_add((axis.out - 1) * stride - in, extent, "a convolution's padding"), 0);
        axis.pad_before = total / 2;
        axis.pad_after = total - axis.pad_before;
      }
      break;
    case ConvPadding::Causal:
      axis.pad_before = extent - 1;
      if (in != kNone) axis.out = floor_div(in - 1, stride) + 1;
      break;
  }
  return axis;
}

ConvAxis deconv_axis(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                     ConvPadding padding, std::optional<std::int64_t> output_padding) {
  STRATA_CHECK(padding != ConvPadding::Causal, ValueError,
               "The `padding` argument must be one of 'valid', 'same'. Received: padding=causal");
  const std::int64_t extent = kernel_extent(kernel, dilation);
  // JAX's padding of the stride-dilated input (keras/src/backend/common/backend_utils.py,
  // _convert_conv_transpose_padding_args_from_keras_to_jax).
  constexpr std::string_view kWhat = "a transposed convolution's output size";
  std::int64_t left = 0, right = 0;
  if (padding == ConvPadding::Valid) {
    const std::int64_t extra = output_padding.value_or(std::max(extent, stride) - extent);
    left = extent - 1;
    right = checked_add(extent - 1, extra, kWhat);
  } else {
    const std::int64_t total = output_padding ? checked_add(extent - 2, extent % 2 + *output_padding, kWhat)
                                              : checked_add(stride, extent - 2, kWhat);
    left = std::min(total / 2 + total % 2, extent - 1);
    right = total - left;
  }
  ConvAxis axis;
  if (in != kNone)
    axis.out = checked_add(checked_add(checked_multiply(in - 1, stride, kWhat), checked_add(left, right, kWhat), kWhat),
                           2 - extent, kWhat);
  axis.pad_before = extent - 1 - left;
  axis.pad_after = std::max<std::int64_t>(extent - 1 - right, 0);
  return axis;
}

std::array<ConvAxis, 2> conv_axes(const Shape& input_shape, Size2 kernel, Size2 strides, Size2 dilation,
                                  ConvPadding padding) {
  return {conv_axis(input_shape[1], kernel.h, strides.h, dilation.h, padding),
          conv_axis(input_shape[2], kernel.w, strides.w, dilation.w, padding)};
}

void check_conv_output(const Shape& input_shape, std::span<const std::int64_t> kernel, std::int64_t out_channels,
                       std::span<const std::int64_t> strides, std::span<const std::int64_t> dilation,
                       ConvPadding padding) {
  for (std::size_t i = 0; i < kernel.size(); ++i) {
    const std::int64_t in = input_shape[static_cast<std::int64_t>(i) + 1];
    if (in == kNone || conv_axis(in, kernel[i], strides[i], dilation[i], padding).out > 0) continue;
    std::vector<std::int64_t> kernel_shape(kernel.begin(), kernel.end());
    kernel_shape.push_back(input_shape[-1]);
    kernel_shape.push_back(out_channels);
    throw ValueError(
        concat("Computed output size would be zero or negative. Received `inputs shape=", input_shape.to_string(),
               "`, `kernel shape=", tuple_text(kernel_shape), "`, `dilation_rate=", numpy_text(dilation),
               "`, `strides=", tuple_text(strides), "`, `padding=", conv_padding_name(padding), "`."));
  }
}

void check_output_not_empty(std::string_view layer_name, const Shape& input_shape, const Shape& output_shape) {
  for (std::int64_t i = 1; i + 1 < static_cast<std::int64_t>(output_shape.rank()); ++i)
    STRATA_CHECK(output_shape[i] > 0, ShapeError, "layer \"", layer_name, "\": input shape ", input_shape.to_string(),
                 " gives the empty output shape ", output_shape.to_string());
}

Conv2DParams conv2d_params(const ConvAxis& h, const ConvAxis& w, Size2 strides, Size2 dilation, std::int64_t groups) {
  Conv2DParams p;
  p.stride_h = strides.h;
  p.stride_w = strides.w;
  p.dilation_h = dilation.h;
  p.dilation_w = dilation.w;
  p.pad_top = h.pad_before;
  p.pad_bottom = h.pad_after;
  p.pad_left = w.pad_before;
  p.pad_right = w.pad_after;
  p.groups = groups;
  return p;
}

std::int64_t conv_input_channels(const Shape& input_shape, std::size_t rank, std::string_view layer_name) {
  STRATA_CHECK(input_shape.rank() == rank, ShapeError, "Input 0 of layer \"", layer_name,
               "\" is incompatible with the layer: expected ndim=", rank, ", found ndim=", input_shape.rank(),
               ". Full shape received: ", input_shape.to_string());
  const std::int64_t channels = input_shape[-1];
  STRATA_CHECK(channels > 0, ShapeError, "layer \"", layer_name,
               "\" needs a known channel axis (the last) to build, received input shape ", input_shape.to_string());
  return channels;
}

void write_weight_config(nlohmann::json& config, const std::string& weight, const Handle<Initializer>& initializer,
                         const std::optional<Handle<Regularizer>>& regularizer,
                         const std::optional<Handle<Constraint>>& constraint) {
  config[weight + "_initializer"] = initializer_json(initializer);
  config[weight + "_regularizer"] = regularizer_json(regularizer);
  config[weight + "_constraint"] = constraint_json(constraint);
}

}  // namespace strata::detail
