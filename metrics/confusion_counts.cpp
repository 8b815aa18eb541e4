#include "metrics/confusion_counts.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "losses/config_reader.hpp"
#include "losses/shape_rules.hpp"
#include "metrics/state.hpp"
#include "strata/error.hpp"

namespace strata::detail {

namespace {

std::string py_list(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + py_float(values[i]);
  return out + "]";
}

}  // namespace

bool evenly_distributed(const std::vector<double>& thresholds) {
  const std::size_t n = thresholds.size();
  if (n < 3) return false;
  for (std::size_t i = 0; i < n; ++i) {
    // numpy.allclose(thresholds, even, atol=1e-7) with its default rtol=1e-5, even in float32
    const double even = static_cast<double>(static_cast<float>(i) / static_cast<float>(n - 1));
    if (!(std::abs(thresholds[i] - even) <= 1e-7 + 1e-5 * std::abs(even))) return false;
  }
  return true;
}

void check_threshold_range(const std::vector<double>& thresholds) {
  std::vector<double> invalid;
  for (const double t : thresholds)
    if (!(t >= 0 && t <= 1)) invalid.push_back(t);
  STRATA_CHECK(invalid.empty(), ValueError, "Threshold values must be in [0, 1]. Received: ", py_list(invalid));
}

void ConfusionCounts::update(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                             const std::string& name) {
  Backend& backend = metrics::detail::pair_backend(y_true, y_pred, name);
  Shape p = y_pred.shape(), t = y_true.shape();
  squeeze_or_expand_to_same_rank(p, t);
  STRATA_CHECK(p == t, ShapeError, "Metric \"", name,
               "\": y_true and y_pred must have the same shape, received y_true.shape=", y_true.shape().to_string(),
               ", y_pred.shape=", y_pred.shape().to_string());
  STRATA_CHECK(p.rank() >= 1, ShapeError, "Metric \"", name, "\": y_pred must have at least one axis, received shape ",
               p.to_string());
  if (config_.multi_label)
    STRATA_CHECK(p.rank() == 2, ValueError, "`y_pred` must have rank 2 when `multi_label=True`. Found rank ", p.rank(),
                 ". Full shape received for `y_pred`: ", y_pred.shape().to_string());
  if (config_.class_id >= 0) {
    STRATA_CHECK(p.rank() >= 2, ValueError,
                 "When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                 "found shape: ",
                 y_pred.shape().to_string());
    STRATA_CHECK(config_.class_id < p[-1], ValueError, "Metric \"", name, "\": class_id=", config_.class_id,
                 " is not a class of y_pred, whose last axis has ", p[-1], " classes");
  }
  if (config_.top_k > 0)
    STRATA_CHECK(p.rank() >= 2, ValueError, "Metric \"", name,
                 "\": top_k needs y_pred with the classes on its last axis (rank 2 or more), received shape ",
                 y_pred.shape().to_string());
  // A rank-1 batch is one column of n rows (Keras flattens it; every element is a sample).
  const Shape rows_view = p.rank() == 1 ? Shape{p[0], 1} : p;
  const std::int64_t c = rows_view[-1];
  Tensor view;
  const Tensor* weights = metrics::detail::weight_view(sample_weight, backend, rows_view[0], name, view);
  const std::size_t L = config_.multi_label ? static_cast<std::size_t>(c) : 1;
  if (state_.defined() && config_.multi_label)
    STRATA_CHECK(L == labels_, ShapeError, "Metric \"", name, "\" counts ", labels_,
                 " labels (multi_label) but received y_pred.shape=", y_pred.shape().to_string());
  const std::int64_t T = static_cast<std::int64_t>(config_.thresholds.size());
  Tensor& state = metrics::detail::state_on(state_, backend, name, Shape{4, T, static_cast<std::int64_t>(L)});
  labels_ = L;
  ConfusionParams params;
  params.thresholds = config_.thresholds;
  params.evenly_spaced = config_.evenly_spaced;
  params.multi_label = config_.multi_label;
  params.top_k = config_.top_k;
  params.class_id = config_.class_id;
  params.from_logits = config_.from_logits;
  if (!config_.multi_label && !config_.label_weights.empty()) {
    STRATA_CHECK(static_cast<std::int64_t>(config_.label_weights.size()) == c, ShapeError, "Metric \"", name,
                 "\": label_weights has ", config_.label_weights.size(), " weights but y_pred has ", c,
                 " labels (its last axis)");
    params.label_weights = config_.label_weights;
  }
  backend.confusion_update(params, y_true.reshaped(rows_view), y_pred.reshaped(rows_view), weights, state);
}

void ConfusionCounts::reset() { metrics::detail::state_reset(state_); }

std::vector<double> ConfusionCounts::read() const {
  const std::vector<float> host = metrics::detail::read_state(state_);
  if (host.empty()) return std::vector<double>(4 * thresholds() * labels(), 0.0);
  return {host.begin(), host.end()};
}

ConfusionCounts::Config precision_recall_counts(const metrics::Thresholds& thresholds,
                                                std::optional<std::int64_t> top_k,
                                                std::optional<std::int64_t> class_id) {
  if (thresholds.given()) check_threshold_range(thresholds.values());
  if (top_k)
    STRATA_CHECK(*top_k >= 1, ValueError, "Argument `top_k` must be an integer >= 1. Received: top_k=", *top_k);
  if (class_id)
    STRATA_CHECK(*class_id >= 0, ValueError,
                 "Argument `class_id` must be an integer >= 0. Received: class_id=", *class_id);
  // Keras's parse_init_thresholds: 0.5 by default, NEG_INF with top_k.
  const std::vector<double> values =
      thresholds.given() ? thresholds.values() : std::vector<double>{top_k ? kNegInf : 0.5};
  STRATA_CHECK(!values.empty(), ValueError, "Argument `thresholds` must hold at least one threshold");
  ConfusionCounts::Config config;
  config.thresholds.assign(values.begin(), values.end());
  config.evenly_spaced = evenly_distributed(values);
  config.top_k = top_k.value_or(0);
  config.class_id = class_id.value_or(-1);
  return config;
}

nlohmann::json thresholds_json(const metrics::Thresholds& thresholds) {
  if (!thresholds.given()) return nullptr;
  if (!thresholds.is_list()) return thresholds.values()[0];
  return thresholds.values();
}

metrics::Thresholds read_thresholds(ConfigReader& reader) {
  const nlohmann::json& v = reader.at("thresholds");
  if (v.is_null()) return {};
  if (v.is_number()) return v.get<double>();
  STRATA_CHECK(v.is_array(), ValueError, reader.prefix(),
               "config key \"thresholds\" must be null, a number or a list of numbers, received: ", v.dump());
  std::vector<double> values;
  for (const auto& x : v) {
    STRATA_CHECK(x.is_number(), ValueError, reader.prefix(),
                 "config key \"thresholds\" must be null, a number or a list of numbers, received: ", v.dump());
    values.push_back(x.get<double>());
  }
  return values;
}

std::optional<std::int64_t> read_optional_int(ConfigReader& reader, const char* key) {
  const nlohmann::json& v = reader.at(key);
  if (v.is_null()) return std::nullopt;
  STRATA_CHECK(v.is_number_integer(), ValueError, reader.prefix(), "config key \"", key,
               "\" must be null or an integer, received: ", v.dump());
  return v.get<std::int64_t>();
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace strata::detail
