#include "layers/pooling.hpp"

#include <algorithm>
#include <cctype>
#include <span>

#include "layers/conv_geometry.hpp"
#include "layers/layer_args.hpp"
#include "strata/error.hpp"

namespace strata::detail {

namespace {

std::string size_text(const Size2& size, bool one_d) {
  const std::int64_t values[] = {size.h, size.w};
  return tuple_text(std::span<const std::int64_t>(values).last(one_d ? 1 : 2));
}

// Keras pools by a convolution's rules: a window is an undilated kernel.
ConvAxis pool_axis(std::int64_t in, std::int64_t pool, std::int64_t stride, bool same) {
  return conv_axis(in, pool, stride, 1, same ? ConvPadding::Same : ConvPadding::Valid);
}

// (n, h, w, c) for a rank-4 input, (n, 1, steps, c) for a 1-D layer's rank-3 input.
Shape as_4d(const Shape& shape, bool one_d) { return one_d ? Shape{shape[0], 1, shape[1], shape[2]} : shape; }

void run_pool(Backend& backend, const Pool2DParams& p, const Tensor& x, const Tensor& x4, Tensor& y4,
              PoolingState* state) {
  if (state) {
    state->params = p;
    state->input_shape = x.shape();
    state->x = x4;
    state->y = y4;
    backend.pool2d_forward(x4, p, y4, &state->op);
  } else {
    backend.pool2d_forward(x4, p, y4, nullptr);
  }
}

}  // namespace

std::string check_pooling_args(const Size2& pool_size, const Size2& strides, const std::string& padding, bool one_d) {
  check_size(pool_size, "pool_size", false, one_d);
  check_size(strides, "strides", false, one_d);
  std::string lower = padding;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  STRATA_CHECK(lower == "valid" || lower == "same", ValueError,
               "Argument `padding` must be either 'valid' or 'same'. Received: padding=", padding);
  return lower;
}

Shape pooled_shape(const Shape& input_shape, const Size2& pool_size, const Size2& strides, bool same, bool one_d) {
  const Shape in = as_4d(input_shape, one_d);
  const std::int64_t oh = pool_axis(in[1], pool_size.h, strides.h, same).out;
  const std::int64_t ow = pool_axis(in[2], pool_size.w, strides.w, same).out;
  if ((in[1] >= 0 && oh <= 0) || (in[2] >= 0 && ow <= 0))
    throw ValueError(concat("Computed output size would be zero or negative. Received: `inputs.shape=",
                            input_shape.to_string(), "`, `pool_size=", size_text(pool_size, one_d),
                            "`, `strides=", size_text(strides, one_d), "`, `padding=valid`."));
  return one_d ? Shape{input_shape[0], ow, input_shape[2]} : Shape{input_shape[0], oh, ow, input_shape[3]};
}

Pool2DParams pool2d_params(PoolKind kind, const Shape& input_shape, const Size2& pool_size, const Size2& strides,
                           bool same, bool one_d) {
  const Shape in = as_4d(input_shape, one_d);
  Pool2DParams p;
  p.kind = kind;
  p.pool_h = one_d ? 1 : pool_size.h;
  p.stride_h = one_d ? 1 : strides.h;
  p.pool_w = pool_size.w;
  p.stride_w = strides.w;
  const ConvAxis h = pool_axis(in[1], p.pool_h, p.stride_h, same);
  const ConvAxis w = pool_axis(in[2], p.pool_w, p.stride_w, same);
  p.pad_top = h.pad_before;
  p.pad_bottom = h.pad_after;
  p.pad_left = w.pad_before;
  p.pad_right = w.pad_after;
  return p;
}

void write_pooling_config(nlohmann::json& config, const Size2& pool_size, const Size2& strides,
                          const std::string& padding, bool one_d) {
  config["pool_size"] = size_to_json(pool_size, one_d);
  config["padding"] = padding;
  config["strides"] = size_to_json(strides, one_d);
  config["data_format"] = "channels_last";
}

PoolingConfig read_pooling_config(const nlohmann::json& config, std::string_view class_name, bool one_d,
                                  std::optional<Size2> default_pool) {
  check_channels_last(config, class_name);
  PoolingConfig out;
  if (config.contains("pool_size") && !config["pool_size"].is_null()) {
    out.pool_size = size_from_json(config["pool_size"], "pool_size", one_d);
  } else {
    STRATA_CHECK(default_pool.has_value(), ValueError, class_name, " config needs a \"pool_size\", received ",
                 config.dump());
    out.pool_size = *default_pool;
  }
  if (config.contains("strides") && !config["strides"].is_null())
    out.strides = size_from_json(config["strides"], "strides", one_d);
  if (config.contains("padding") && config["padding"].is_string()) out.padding = config["padding"].get<std::string>();
  return out;
}

void pool_forward(Backend& backend, PoolKind kind, const Tensor& x, const Size2& pool_size, const Size2& strides,
                  bool same, bool one_d, Tensor& y, PoolingState* state) {
  const Pool2DParams p = pool2d_params(kind, x.shape(), pool_size, strides, same, one_d);
  const Tensor x4 = x.reshaped(as_4d(x.shape(), one_d));
  Tensor y4 = y.reshaped(as_4d(y.shape(), one_d));
  run_pool(backend, p, x, x4, y4, state);
}

Shape global_pooled_shape(const Shape& input_shape, bool keepdims, bool one_d) {
  const std::int64_t n = input_shape[0], c = input_shape[-1];
  if (!keepdims) return {n, c};
  return one_d ? Shape{n, 1, c} : Shape{n, 1, 1, c};
}

void global_pool_forward(Backend& backend, PoolKind kind, const Tensor& x, bool one_d, Tensor& y, PoolingState* state) {
  const Shape in = as_4d(x.shape(), one_d);
  Pool2DParams p;
  p.kind = kind;
  p.pool_h = p.stride_h = in[1];
  p.pool_w = p.stride_w = in[2];
  const Tensor x4 = x.reshaped(in);
  Tensor y4 = y.reshaped({in[0], 1, 1, in[3]});
  run_pool(backend, p, x, x4, y4, state);
}

bool read_keepdims(const nlohmann::json& config, std::string_view class_name) {
  check_channels_last(config, class_name);
  return config.contains("keepdims") && config["keepdims"].is_boolean() && config["keepdims"].get<bool>();
}

const Shape& pooling_input_shape(const PoolingState& state, std::string_view layer) {
  STRATA_CHECK(state.x.defined(), StateError, "layer \"", layer, "\": backward() before a training call");
  return state.input_shape;
}

void pool_backward(Backend& backend, PoolingState& state, const Tensor& dy, Tensor& dx) {
  const Tensor dy4 = dy.reshaped(state.y.shape());
  Tensor dx4 = dx.reshaped(state.x.shape());
  backend.pool2d_backward(state.x, state.y, dy4, state.params, state.op, dx4);
}

}  // namespace strata::detail
