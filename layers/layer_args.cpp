#include "layers/layer_args.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "api/registry.hpp"
#include "strata/error.hpp"

namespace strata::detail {

namespace {

std::int64_t json_int(const nlohmann::json& value, std::string_view argument) {
  STRATA_CHECK(value.is_number_integer(), ValueError, "The `", argument,
               "` argument must hold integers. Received: ", value.dump());
  return value.get<std::int64_t>();
}

}  // namespace

std::string tuple_text(std::span<const std::int64_t> values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + (values.size() == 1 ? ",)" : ")");
}

void check_tuple_argument(std::string_view name, std::span<const std::int64_t> values, bool allow_zero,
                          bool uniform_as_int) {
  std::vector<std::int64_t> bad;
  for (std::int64_t v : values)
    if ((allow_zero ? v < 0 : v <= 0) && std::find(bad.begin(), bad.end(), v) == bad.end()) bad.push_back(v);
  if (bad.empty()) return;
  const bool uniform = std::all_of(values.begin(), values.end(), [&](std::int64_t v) { return v == values[0]; });
  const std::string received =
      values.size() == 1 || (uniform_as_int && uniform) ? std::to_string(values[0]) : tuple_text(values);
  std::string set = "{";
  for (std::size_t i = 0; i < bad.size(); ++i) set += (i ? ", " : "") + std::to_string(bad[i]);
  set += "}";
  throw ValueError(concat("The `", name, "` argument must be a tuple of ", values.size(), " integers. Received ", name,
                          "=", received, ", including values ", set, " that do not satisfy `value ",
                          allow_zero ? ">= 0" : "> 0", "`"));
}

void check_size(const Size2& size, std::string_view argument, bool allow_zero, bool one_d) {
  const std::int64_t values[] = {size.h, size.w};
  check_tuple_argument(argument, std::span<const std::int64_t>(values).last(one_d ? 1 : 2), allow_zero, false);
}

void check_sides(const Sides2& sides, std::string_view argument) {
  STRATA_CHECK(sides.top >= 0 && sides.bottom >= 0 && sides.left >= 0 && sides.right >= 0, ValueError, '`', argument,
               "` cannot be negative. Received: ", argument, "=((", sides.top, ", ", sides.bottom, "), (", sides.left,
               ", ", sides.right, "))");
}

ConvPadding parse_conv_padding(std::string_view padding, bool allow_causal) {
  std::string lower(padding);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "valid") return ConvPadding::Valid;
  if (lower == "same") return ConvPadding::Same;
  if (allow_causal && lower == "causal") return ConvPadding::Causal;
  throw ValueError(concat("The `padding` argument must be a list/tuple or one of ",
                          allow_causal ? "{'valid', 'same', 'causal'}" : "{'valid', 'same'}", ". Received: ", lower));
}

const char* conv_padding_name(ConvPadding padding) {
  switch (padding) {
    case ConvPadding::Valid: return "valid";
    case ConvPadding::Same: return "same";
    case ConvPadding::Causal: return "causal";
  }
  return "valid";
}

nlohmann::json size_to_json(const Size2& size, bool one_d) {
  return one_d ? nlohmann::json::array({size.w}) : nlohmann::json::array({size.h, size.w});
}

Size2 size_from_json(const nlohmann::json& value, std::string_view argument, bool one_d) {
  if (value.is_number_integer()) {
    const std::int64_t v = value.get<std::int64_t>();
    return one_d ? Size2(1, v) : Size2(v);
  }
  const std::size_t n = one_d ? 1 : 2;
  STRATA_CHECK(
      value.is_array() && value.size() == n &&
          std::all_of(value.begin(), value.end(), [](const nlohmann::json& v) { return v.is_number_integer(); }),
      ValueError, "The `", argument, "` argument must be a tuple of ", n, " integers. Received ", argument, '=',
      value.dump());
  return one_d ? Size2(1, value[0].get<std::int64_t>())
               : Size2(value[0].get<std::int64_t>(), value[1].get<std::int64_t>());
}

std::optional<Size2> size_from_config(const nlohmann::json& config, const char* key, bool one_d) {
  if (!config.contains(key) || config[key].is_null()) return std::nullopt;
  return size_from_json(config[key], key, one_d);
}

void read_size(const nlohmann::json& config, const char* key, Size2& value) {
  if (const auto size = size_from_config(config, key)) value = *size;
}

void read_size(const nlohmann::json& config, const char* key, std::int64_t& value) {
  if (const auto size = size_from_config(config, key, true)) value = size->w;
}

nlohmann::json sides_to_json(const Sides2& sides) {
  return nlohmann::json::array(
      {nlohmann::json::array({sides.top, sides.bottom}), nlohmann::json::array({sides.left, sides.right})});
}

Sides2 sides_from_json(const nlohmann::json& value, std::string_view argument) {
  if (value.is_number_integer()) return Sides2(value.get<std::int64_t>());
  STRATA_CHECK(value.is_array() && value.size() == 2, ValueError, '`', argument,
               "` should have two elements. Received: ", argument, '=', value.dump(), '.');
  if (value[0].is_number_integer() && value[1].is_number_integer())
    return Sides2(value[0].get<std::int64_t>(), value[1].get<std::int64_t>());
  const auto pair = [&](const nlohmann::json& p, const char* which) {
    if (p.is_number_integer()) return std::pair{p.get<std::int64_t>(), p.get<std::int64_t>()};
    STRATA_CHECK(p.is_array() && p.size() == 2, ValueError, "The `", which, " entry of ", argument,
                 "` argument must be a tuple of 2 integers. Received ", which, " entry of ", argument, '=', p.dump());
    return std::pair{json_int(p[0], argument), json_int(p[1], argument)};
  };
  return Sides2(pair(value[0], "1st"), pair(value[1], "2nd"));
}

void check_channels_last(const nlohmann::json& config, std::string_view class_name) {
  if (!config.contains("data_format") || config["data_format"].is_null()) return;
  STRATA_CHECK(
      config["data_format"] == "channels_last", ValueError, class_name,
      " supports only data_format=\"channels_last\" so far. Received: data_format=", config["data_format"].dump());
}

std::string padding_from_config(const nlohmann::json& config, const char* fallback) {
  if (!config.contains("padding") || config["padding"].is_null()) return fallback;
  STRATA_CHECK(config["padding"].is_string(), ValueError,
               "The `padding` argument must be one of 'valid', 'same' (or 'causal' for Conv1D); explicit padding ",
               config["padding"].dump(), " is not supported");
  return config["padding"].get<std::string>();
}

std::string activation_from_config(const nlohmann::json& config) {
  if (!config.contains("activation") || config["activation"].is_null()) return "linear";
  STRATA_CHECK(config["activation"].is_string(), ValueError,
               "Could not interpret activation function identifier: ", config["activation"].dump());
  return config["activation"].get<std::string>();
}

nlohmann::json initializer_json(const Handle<Initializer>& initializer) {
  return serialized_object(initializer_registry(), "keras.initializers", initializer->class_name(),
                           initializer->get_config());
}

Handle<Initializer> initializer_from_config(const nlohmann::json& config, const char* key,
                                            Handle<Initializer> fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  if (config[key].is_string()) return Handle<Initializer>(config[key].get<std::string>());
  return Initializer::from_config(config[key]);
}

nlohmann::json regularizer_json(const std::optional<Handle<Regularizer>>& regularizer) {
  if (!regularizer) return nullptr;
  return regularizers::serialize(**regularizer);
}

nlohmann::json constraint_json(const std::optional<Handle<Constraint>>& constraint) {
  if (!constraint) return nullptr;
  return constraints::serialize(**constraint);
}

std::optional<Handle<Regularizer>> regularizer_from_config(const nlohmann::json& config, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  return Handle<Regularizer>(Regularizer::from_config(*it));
}

std::optional<Handle<Constraint>> constraint_from_config(const nlohmann::json& config, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  return Handle<Constraint>(Constraint::from_config(*it));
}

void attach(Variable& variable, const std::optional<Handle<Regularizer>>& regularizer,
            const std::optional<Handle<Constraint>>& constraint) {
  try {
    if (regularizer) {
      (*regularizer)->check_shape(variable.value.shape());
      variable.regularizer = regularizer->get();
    }
    if (constraint) {
      (*constraint)->check_shape(variable.value.shape());
      variable.constraint = constraint->get();
    }
  } catch (const ValueError& e) {
    throw ValueError(concat("weight \"", variable.path, "\": ", e.what()));
  }
}

int axis_from_config(const nlohmann::json& config, int fallback, std::string_view layer_name,
                     std::string_view refusal) {
  if (!config.contains("axis")) return fallback;
  const nlohmann::json& axis = config["axis"];
  const bool single = axis.is_array() && axis.size() == 1;
  STRATA_CHECK(axis.is_number_integer() || single, ValueError, "layer \"", layer_name, "\": ", refusal,
               ". Received: axis=", axis.dump());
  return (single ? axis[0] : axis).get<int>();
}

void check_last_axis(int axis, const Shape& input_shape, std::string_view layer_name, std::string_view class_name) {
  const auto rank = static_cast<int>(input_shape.rank());
  STRATA_CHECK(axis == -1 || axis == rank - 1, ValueError, "layer \"", layer_name, "\": ", class_name,
               " supports only the last axis (axis=-1) so far. Received: axis=", axis, " for input shape ",
               input_shape.to_string());
}

std::int64_t last_axis_size(int axis, const Shape& input_shape, std::string_view layer_name,
                            std::string_view class_name) {
  const auto rank = static_cast<int>(input_shape.rank());
  STRATA_CHECK(axis < rank && axis >= -rank, ValueError, "Axis ", axis, " is out of bounds for input shape ",
               input_shape.to_string(), ". Received: axis=", axis);
  check_last_axis(axis, input_shape, layer_name, class_name);
  const std::int64_t size = input_shape[-1];
  STRATA_CHECK(size > 0, ShapeError, "layer \"", layer_name,
               "\" needs a known last axis to build, received input shape ", input_shape.to_string());
  return size;
}

}  // namespace strata::detail
