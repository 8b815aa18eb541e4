#pragma once
// Private helper of every pooling layer: Keras's pooling geometry (output sizes, "same"
// padding), argument checks, config keys, and the forward / backward plumbing over
// Backend::pool2d_*. 1-D pooling runs as 2-D pooling over (n, 1, steps, c); global pooling as
// one window the size of the whole input.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "strata/backend.hpp"
#include "strata/call_context.hpp"
#include "strata/layers/conv_args.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

/// Checks pool_size (> 0), strides (> 0) and padding ("valid" or "same", any case) as Keras
/// does; returns the padding in lower case. `one_d` checks and reports only the width.
std::string check_pooling_args(const Size2& pool_size, const Size2& strides, const std::string& padding, bool one_d);

/// The output shape of windowed pooling: (n, oh, ow, c), or (n, osteps, c) when one_d, by
/// Keras's rules (valid floor((in - pool) / stride) + 1, same ceil(in / stride)). Throws
/// ValueError (Keras's message) when valid padding leaves no output.
Shape pooled_shape(const Shape& input_shape, const Size2& pool_size, const Size2& strides, bool same, bool one_d);
/// The backend window for an input of `input_shape` (Keras's "same": total padding
/// max((ceil(in / stride) - 1) * stride + pool - in, 0), the smaller half before).
Pool2DParams pool2d_params(PoolKind kind, const Shape& input_shape, const Size2& pool_size, const Size2& strides,
                           bool same, bool one_d);

/// Adds Keras's pooling keys to `config`: pool_size, padding, strides, data_format.
void write_pooling_config(nlohmann::json& config, const Size2& pool_size, const Size2& strides,
                          const std::string& padding, bool one_d);
struct PoolingConfig {
  Size2 pool_size = 2;
  std::optional<Size2> strides;
  std::string padding = "valid";
};
/// Reads what write_pooling_config writes (and Keras's configs); `default_pool` when absent.
PoolingConfig read_pooling_config(const nlohmann::json& config, std::string_view class_name, bool one_d,
                                  std::optional<Size2> default_pool);

/// What a training call keeps for backward, in its call context (Layer::call_state): the
/// window, the input's shape as received, 4-D views of input and output, and the backend's state.
struct PoolingState : CallState {
  Pool2DParams params;
  Shape input_shape;
  Tensor x, y;
  std::unique_ptr<OpState> op;
};

/// Pools x (rank 4, or rank 3 when one_d) into y (the layer's output buffer, of
/// pooled_shape's shape). With `state` not null (training) keeps what pool_backward needs.
void pool_forward(Backend& backend, PoolKind kind, const Tensor& x, const Size2& pool_size, const Size2& strides,
                  bool same, bool one_d, Tensor& y, PoolingState* state);

/// The output shape of global pooling over (n, h, w, c), or (n, steps, c) when one_d:
/// (n, c), or with keepdims (n, 1, 1, c) / (n, 1, c).
Shape global_pooled_shape(const Shape& input_shape, bool keepdims, bool one_d);
/// Global pooling: one window covering every spatial position. y is the layer's output buffer.
void global_pool_forward(Backend& backend, PoolKind kind, const Tensor& x, bool one_d, Tensor& y, PoolingState* state);
/// Reads the "keepdims" and "data_format" keys of a global pooling config.
bool read_keepdims(const nlohmann::json& config, std::string_view class_name);

/// The input shape of the training call that kept `state`; StateError naming `layer` when there
/// was none.
const Shape& pooling_input_shape(const PoolingState& state, std::string_view layer);
/// dx (the layer's buffer, pooling_input_shape's shape) from dy of the training call.
void pool_backward(Backend& backend, PoolingState& state, const Tensor& dy, Tensor& dx);

}  // namespace strata::detail
