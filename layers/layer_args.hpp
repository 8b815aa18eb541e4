#pragma once
// Private to layers/: Keras's checks of int-or-tuple arguments and the config forms the layers
// share (tuples, sides, data_format, padding, initializers, activations, axes), so that every
// layer reads and writes them, and words their errors, the same way.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layers/conv_args.hpp"
#include "strata/layers/sides2.hpp"
#include "strata/regularizers.hpp"
#include "strata/shape.hpp"
#include "strata/variable.hpp"

namespace strata::detail {

// ---- argument checks -----------------------------------------------------------------------

/// Python's text for a tuple of ints: "(2,)", "(3, 3)".
std::string tuple_text(std::span<const std::int64_t> values);

/// Keras's standardize_tuple check on values already split per axis: every value > 0 (>= 0 with
/// allow_zero), else ValueError "The `pool_size` argument must be a tuple of 2 integers.
/// Received pool_size=(0, 2), including values {0} that do not satisfy `value > 0`". Keras
/// prints the argument as the user passed it, which a Size2 no longer knows: with
/// `uniform_as_int` an argument whose axes agree prints as one int (the convolutions), else a
/// pair always prints as a tuple (the pooling and upsampling layers). One value prints as an int.
void check_tuple_argument(std::string_view name, std::span<const std::int64_t> values, bool allow_zero,
                          bool uniform_as_int = true);
/// check_tuple_argument for a 2-D layer's Size2 (pairs print as tuples); `one_d` checks and
/// prints only the width.
void check_size(const Size2& size, std::string_view argument, bool allow_zero, bool one_d = false);
/// ValueError unless every side is >= 0, in Keras's words for `argument` ("padding", "cropping").
void check_sides(const Sides2& sides, std::string_view argument);
/// Keras's standardize_padding for the convolutions: "valid" / "same" (and "causal" where
/// allowed), any case.
ConvPadding parse_conv_padding(std::string_view padding, bool allow_causal);
const char* conv_padding_name(ConvPadding padding);

// ---- configs -------------------------------------------------------------------------------

/// [h, w], or [w] for a 1-D layer.
nlohmann::json size_to_json(const Size2& size, bool one_d = false);
/// [value]: a 1-D layer's tuple of one.
inline nlohmann::json size_to_json(std::int64_t value) { return size_to_json(Size2(1, value), true); }
/// An int or a list of 1 (one_d, read as (1, w)) or 2 ints, as Keras configs hold them.
Size2 size_from_json(const nlohmann::json& value, std::string_view argument, bool one_d = false);
/// size_from_json of `key`; nullopt when absent or null.
std::optional<Size2> size_from_config(const nlohmann::json& config, const char* key, bool one_d = false);
/// Replaces `value` with the tuple under `key`, if there is one (an int64 reads a 1-D tuple).
void read_size(const nlohmann::json& config, const char* key, Size2& value);
void read_size(const nlohmann::json& config, const char* key, std::int64_t& value);
/// [[top, bottom], [left, right]].
nlohmann::json sides_to_json(const Sides2& sides);
/// An int, [h, w] or [[top, bottom], [left, right]].
Sides2 sides_from_json(const nlohmann::json& value, std::string_view argument);

/// ValueError unless a config's "data_format" is absent, null or "channels_last" (the only
/// layout Strata's layers run).
void check_channels_last(const nlohmann::json& config, std::string_view class_name);
/// The `padding` string, `fallback` when absent (Keras's explicit-padding lists are refused).
std::string padding_from_config(const nlohmann::json& config, const char* fallback);
/// The activation's name (a string or null in Keras's configs; null is linear).
std::string activation_from_config(const nlohmann::json& config);

/// Keras's serialized initializer object.
nlohmann::json initializer_json(const Handle<Initializer>& initializer);
/// The initializer under `key`, or `fallback` when absent or null.
Handle<Initializer> initializer_from_config(const nlohmann::json& config, const char* key,
                                            Handle<Initializer> fallback);
/// Keras's serialized regularizer, or null for none.
nlohmann::json regularizer_json(const std::optional<Handle<Regularizer>>& regularizer);
/// Keras's serialized constraint, or null for none.
nlohmann::json constraint_json(const std::optional<Handle<Constraint>>& constraint);
/// The regularizer under `key` (a serialized object or a string name); none when absent or null.
std::optional<Handle<Regularizer>> regularizer_from_config(const nlohmann::json& config, const char* key);
/// The constraint under `key` (a serialized object or a string name); none when absent or null.
std::optional<Handle<Constraint>> constraint_from_config(const nlohmann::json& config, const char* key);
/// Gives a weight its regularizer and constraint, as Keras's add_weight does; ValueError (naming
/// the weight) when one cannot take the weight's shape.
void attach(Variable& variable, const std::optional<Handle<Regularizer>>& regularizer,
            const std::optional<Handle<Constraint>>& constraint);
/// The activity regularizer a layer's options name, as Layer::set_activity_regularizer takes it.
inline std::shared_ptr<const Regularizer> activity_of(const std::optional<Handle<Regularizer>>& regularizer) {
  return regularizer ? regularizer->get() : nullptr;
}

// ---- axes ----------------------------------------------------------------------------------

/// The axis under "axis" (an int or a list of one), `fallback` when absent; else ValueError
/// "layer "name": <refusal>. Received: axis=...".
int axis_from_config(const nlohmann::json& config, int fallback, std::string_view layer_name, std::string_view refusal);
/// ValueError unless `axis` is the last axis of `input_shape` (-1 or rank - 1), for layers that
/// support no other one yet.
void check_last_axis(int axis, const Shape& input_shape, std::string_view layer_name, std::string_view class_name);
/// The size of the normalised last axis, which must be known to build: Keras's bounds check on
/// `axis`, then check_last_axis.
std::int64_t last_axis_size(int axis, const Shape& input_shape, std::string_view layer_name,
                            std::string_view class_name);

/// Whether `backend` runs every op of `ops` in `dtype`: a layer's Layer::computes_in.
inline bool supports_all(const Backend& backend, DType dtype, std::initializer_list<std::string_view> ops) {
  for (const std::string_view op : ops)
    if (!backend.supports(op, dtype)) return false;
  return true;
}

}  // namespace strata::detail
