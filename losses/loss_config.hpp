#pragma once
// Private to losses/: the keys every Keras loss config shares and the argument checks.

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "losses/config_reader.hpp"
#include "strata/error.hpp"
#include "strata/losses/loss.hpp"

namespace strata::losses::detail {

using strata::detail::ConfigReader;

/// "reduction": a name, or null (Python's None, the same as "none"); absent: the default.
inline Reduction read_reduction(ConfigReader& reader) {
  if (!reader.contains("reduction")) return Reduction::SumOverBatchSize;
  const auto& v = reader.at("reduction");
  if (v.is_null()) return Reduction::None;
  STRATA_CHECK(v.is_string(), ValueError,
               "Invalid value for argument `reduction`. Expected one of 'sum_over_batch_size', "
               "'sum', 'mean', 'none'. Received: reduction=",
               v.dump());
  return reduction_from_name(v.get<std::string>());
}

inline void check_name(const std::string& name) {
  STRATA_CHECK(!name.empty(), ValueError, "Argument `name` must be a non-empty string");
}

inline void check_label_smoothing(double s) {
  STRATA_CHECK(std::isfinite(s) && s >= 0.0 && s <= 1.0, ValueError,
               "Argument `label_smoothing` must be in [0, 1]. Received: label_smoothing=", strata::detail::py_float(s));
}

/// Reads the keys of a loss with no options of its own (MeanSquaredError, MeanAbsoluteError).
template <class Options>
Options read_plain_options(const nlohmann::json& config, const char* class_name) {
  ConfigReader reader(config, "loss", class_name);
  Options options;
  options.name = reader.string("name", options.name);
  options.reduction = read_reduction(reader);
  reader.dtype();
  reader.finish();
  return options;
}

/// Reads the keys BinaryCrossentropy and CategoricalCrossentropy share.
template <class Options>
Options read_crossentropy_options(const nlohmann::json& config, const char* class_name) {
  ConfigReader reader(config, "loss", class_name);
  Options options;
  options.name = reader.string("name", options.name);
  options.reduction = read_reduction(reader);
  options.from_logits = reader.boolean("from_logits", options.from_logits);
  options.label_smoothing = reader.number("label_smoothing", options.label_smoothing);
  reader.axis();
  reader.dtype();
  reader.finish();
  return options;
}

/// The config and fused-op parameters of a crossentropy with label smoothing.
inline nlohmann::json crossentropy_config(nlohmann::json config, bool from_logits, double label_smoothing) {
  config["from_logits"] = from_logits;
  config["label_smoothing"] = label_smoothing;
  config["axis"] = -1;
  return config;
}

inline LossParams crossentropy_params(LossKind kind, bool from_logits, double label_smoothing) {
  LossParams p;
  p.kind = kind;
  p.from_logits = from_logits;
  p.label_smoothing = static_cast<float>(label_smoothing);
  return p;
}

}  // namespace strata::losses::detail
