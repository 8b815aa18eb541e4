#include "strata/metrics/auc.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "metrics/confusion_counts.hpp"
#include "metrics/metric_config.hpp"

namespace strata::metrics {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()

std::string canonical_curve(const std::string& curve) {
  if (curve == "ROC" || curve == "roc") return "ROC";
  if (curve == "PR" || curve == "pr") return "PR";
  if (curve == "PRGAIN" || curve == "prgain") return "PRGAIN";
  throw ValueError(strata::detail::concat("Invalid AUC curve value: \"", curve,
                                          "\". Expected values are [\"PR\", \"ROC\", \"PRGAIN\"]"));
}

std::string canonical_summation(const std::string& method) {
  if (method == "interpolation" || method == "Interpolation") return "interpolation";
  if (method == "majoring" || method == "Majoring") return "majoring";
  if (method == "minoring" || method == "Minoring") return "minoring";
  throw ValueError(strata::detail::concat("Invalid AUC summation method value: \"", method,
                                          "\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"]"));
}

double divide_no_nan(double x, double y) { return y == 0 ? 0.0 : x / y; }

// The per-label areas from counts (4, T, L), Keras's AUC.result / interpolate_pr_auc.
std::vector<double> areas(const std::vector<double>& c, std::size_t T, std::size_t L, const std::string& curve,
                          const std::string& method) {
  const auto at = [&](std::size_t k, std::size_t i, std::size_t l) { return c[(k * T + i) * L + l]; };
  std::vector<double> out(L, 0.0);
  for (std::size_t l = 0; l < L; ++l) {
    const auto tp = [&](std::size_t i) { return at(0, i, l); };
    const auto fp = [&](std::size_t i) { return at(1, i, l); };
    const auto tn = [&](std::size_t i) { return at(2, i, l); };
    const auto fn = [&](std::size_t i) { return at(3, i, l); };
    double sum = 0.0;
    if (curve == "PR" && method == "interpolation") {
      // Davis & Goadrich: precision interpolated linearly in the number of predicted positives.
      for (std::size_t i = 0; i + 1 < T; ++i) {
        const double dtp = tp(i) - tp(i + 1);
        const double p0 = tp(i) + fp(i), p1 = tp(i + 1) + fp(i + 1);
        const double slope = divide_no_nan(dtp, std::max(p0 - p1, 0.0));
        const double intercept = tp(i + 1) - slope * p1;
        const double ratio = p0 > 0 && p1 > 0 ? divide_no_nan(p0, std::max(p1, 0.0)) : 1.0;
        sum += divide_no_nan(slope * (dtp + intercept * std::log(ratio)), std::max(tp(i + 1) + fn(i + 1), 0.0));
      }
    } else {
      std::vector<double> x(T), y(T);
      for (std::size_t i = 0; i < T; ++i) {
        const double recall = divide_no_nan(tp(i), tp(i) + fn(i));
        if (curve == "ROC") {
          x[i] = divide_no_nan(fp(i), fp(i) + tn(i));
          y[i] = recall;
        } else if (curve == "PR") {
          x[i] = recall;
          y[i] = divide_no_nan(tp(i), tp(i) + fp(i));
        } else {  // PRGAIN
          const double scale = divide_no_nan(tp(i) + fn(i), tn(i) + fp(i));
          const double recall_gain = tp(i) == 0 ? 0.0 : 1.0 - scale * divide_no_nan(fn(i), tp(i));
          const double precision_gain = tp(i) == 0 ? 1.0 : 1.0 - scale * divide_no_nan(fp(i), tp(i));
          x[i] = std::max(recall_gain, 0.0);
          y[i] = precision_gain;
        }
      }
      for (std::size_t i = 0; i + 1 < T; ++i) {
        double height;
        if (method == "interpolation")
          height = (y[i] + y[i + 1]) / 2.0;
        else if (method == "minoring")
          height = std::min(y[i], y[i + 1]);
        else
          height = std::max(y[i], y[i + 1]);
        // std::min/max would drop a NaN; keep it visible
        if (std::isnan(y[i]) || std::isnan(y[i + 1])) height = y[i] + y[i + 1];
        sum += (x[i] - x[i + 1]) * height;
      }
    }
    out[l] = sum;
  }
  return out;
}

}  // namespace

AUC::AUC(Options options) : Metric(options.name), options_(std::move(options)) {
  detail::check_name(name());
  options_.curve = canonical_curve(options_.curve);
  options_.summation_method = canonical_summation(options_.summation_method);
  std::vector<double> inner;
  bool evenly = true;
  if (options_.thresholds) {
    inner = *options_.thresholds;
    std::sort(inner.begin(), inner.end());
    options_.num_thresholds = static_cast<std::int64_t>(inner.size()) + 2;
    std::vector<double> with_ends = {0.0};
    with_ends.insert(with_ends.end(), inner.begin(), inner.end());
    with_ends.push_back(1.0);
    evenly = strata::detail::evenly_distributed(with_ends);
  } else {
    STRATA_CHECK(
        options_.num_thresholds > 1, ValueError,
        "Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=", options_.num_thresholds);
    for (std::int64_t i = 0; i < options_.num_thresholds - 2; ++i)
      inner.push_back(static_cast<double>(i + 1) * 1.0 / static_cast<double>(options_.num_thresholds - 1));
  }
  if (!options_.multi_label)
    STRATA_CHECK(!options_.num_labels, ValueError, "`num_labels` is needed only when `multi_label` is True.");
  for (const double w : options_.label_weights)
    STRATA_CHECK(w >= 0, ValueError,
                 "All values of `label_weights` must be non-negative. Received: ", strata::detail::py_float(w));
  thresholds_ = {0.0 - kEpsilon};
  thresholds_.insert(thresholds_.end(), inner.begin(), inner.end());
  thresholds_.push_back(1.0 + kEpsilon);
  strata::detail::ConfusionCounts::Config config;
  config.thresholds.assign(thresholds_.begin(), thresholds_.end());
  config.evenly_spaced = evenly;
  config.multi_label = options_.multi_label;
  config.from_logits = options_.from_logits;
  if (!options_.multi_label) config.label_weights.assign(options_.label_weights.begin(), options_.label_weights.end());
  counts_ = std::make_unique<strata::detail::ConfusionCounts>(std::move(config));
}

AUC::AUC(const AUC& other)
    : Metric(other.name()),
      options_(other.options_),
      thresholds_(other.thresholds_),
      counts_(std::make_unique<strata::detail::ConfusionCounts>(*other.counts_)) {}

AUC& AUC::operator=(const AUC& other) {
  Metric::operator=(other);
  options_ = other.options_;
  thresholds_ = other.thresholds_;
  counts_ = std::make_unique<strata::detail::ConfusionCounts>(*other.counts_);
  return *this;
}

AUC::~AUC() = default;

nlohmann::json AUC::get_config() const {
  nlohmann::json config = Metric::get_config();
  config["num_thresholds"] = options_.num_thresholds;
  config["curve"] = options_.curve;
  config["summation_method"] = options_.summation_method;
  config["multi_label"] = options_.multi_label;
  config["num_labels"] = strata::detail::optional_json(options_.num_labels);
  config["label_weights"] =
      options_.label_weights.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.label_weights);
  config["from_logits"] = options_.from_logits;
  if (options_.thresholds) config["thresholds"] = std::vector<double>(thresholds_.begin() + 1, thresholds_.end() - 1);
  return config;
}

void AUC::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  if (options_.multi_label && options_.num_labels && y_pred.defined() && y_pred.shape().rank() == 2)
    STRATA_CHECK(y_pred.shape()[-1] == *options_.num_labels, ShapeError, "Metric \"", name(),
                 "\" has num_labels=", *options_.num_labels, " but received y_pred.shape=", y_pred.shape().to_string());
  if (options_.multi_label && !options_.label_weights.empty() && y_pred.defined() && y_pred.shape().rank() == 2)
    STRATA_CHECK(static_cast<std::int64_t>(options_.label_weights.size()) == y_pred.shape()[-1], ShapeError,
                 "Metric \"", name(), "\": label_weights has ", options_.label_weights.size(),
                 " weights but y_pred has ", y_pred.shape()[-1], " labels (its last axis)");
  counts_->update(y_true, y_pred, sample_weight, name());
}

double AUC::result() const {
  const std::size_t T = counts_->thresholds(), L = counts_->labels();
  const std::vector<double> by_label = areas(counts_->read(), T, L, options_.curve, options_.summation_method);
  if (!options_.multi_label) return by_label[0];
  double sum = 0.0;
  if (options_.label_weights.empty() || L != options_.label_weights.size()) {
    for (const double a : by_label) sum += a;
    return sum / static_cast<double>(L);
  }
  double weights = 0.0;
  for (std::size_t l = 0; l < L; ++l) {
    sum += by_label[l] * options_.label_weights[l];
    weights += options_.label_weights[l];
  }
  return divide_no_nan(sum, weights);
}

void AUC::reset_state() { counts_->reset(); }

std::shared_ptr<AUC> AUC::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "AUC");
  Options options;
  options.name = detail::read_common(reader, options.name);
  options.num_thresholds = static_cast<std::int64_t>(reader.number("num_thresholds", 200));
  options.curve = reader.string("curve", options.curve);
  options.summation_method = reader.string("summation_method", options.summation_method);
  options.multi_label = reader.boolean("multi_label", false);
  options.num_labels = strata::detail::read_optional_int(reader, "num_labels");
  options.from_logits = reader.boolean("from_logits", false);
  // Keras writes label_weights as a list, or as its serialized tensor {"class_name": "__tensor__",
  // "config": {"value": [...], "dtype": ...}}.
  nlohmann::json weights = reader.at("label_weights");
  if (weights.is_object() && weights.contains("config") && weights["config"].is_object())
    weights = weights["config"].value("value", nlohmann::json());
  if (!weights.is_null()) {
    STRATA_CHECK(weights.is_array(), ValueError, reader.prefix(),
                 "config key \"label_weights\" must be null or a list of numbers, received: ", weights.dump());
    for (const auto& w : weights) {
      STRATA_CHECK(w.is_number(), ValueError, reader.prefix(),
                   "config key \"label_weights\" must be null or a list of numbers, received: ", weights.dump());
      options.label_weights.push_back(w.get<double>());
    }
  }
  const nlohmann::json& thresholds = reader.at("thresholds");
  if (!thresholds.is_null()) {
    STRATA_CHECK(thresholds.is_array(), ValueError, reader.prefix(),
                 "config key \"thresholds\" must be null or a list of numbers, received: ", thresholds.dump());
    std::vector<double> values;
    for (const auto& t : thresholds) {
      STRATA_CHECK(t.is_number(), ValueError, reader.prefix(),
                   "config key \"thresholds\" must be null or a list of numbers, received: ", thresholds.dump());
      values.push_back(t.get<double>());
    }
    options.thresholds = std::move(values);
  }
  reader.finish();
  return std::make_shared<AUC>(std::move(options));
}

std::vector<Tensor> AUC::state_tensors() const {
  return counts_->state().defined() ? std::vector<Tensor>{counts_->state()} : std::vector<Tensor>{};
}

}  // namespace strata::metrics
