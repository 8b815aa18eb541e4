#include "strata/metrics/fbeta_score.hpp"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "metrics/metric_config.hpp"
#include "metrics/state.hpp"

namespace strata::metrics {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()

}  // namespace

FBetaScore::FBetaScore(Options options) : Metric(options.name), options_(std::move(options)) {
  detail::check_name(name());
  const auto& average = options_.average;
  STRATA_CHECK(!average || *average == "micro" || *average == "macro" || *average == "weighted", ValueError,
               "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
               "Received: average=",
               *average);
  STRATA_CHECK(options_.beta > 0.0, ValueError, "Invalid `beta` argument value. It should be > 0. Received: beta=",
               strata::detail::py_float(options_.beta));
  if (options_.threshold) {
    const double t = *options_.threshold;
    STRATA_CHECK(t > 0.0 && t <= 1.0, ValueError,
                 "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold=",
                 strata::detail::py_float(t));
  }
}

FBetaScore::FBetaScore(const FBetaScore& other) : Metric(other.name()), options_(other.options_) {}

FBetaScore& FBetaScore::operator=(const FBetaScore& other) {
  Metric::operator=(other);
  options_ = other.options_;
  state_ = Tensor();
  return *this;
}

nlohmann::json FBetaScore::get_config() const {
  nlohmann::json config = Metric::get_config();
  config["average"] = options_.average ? nlohmann::json(*options_.average) : nlohmann::json(nullptr);
  config["beta"] = options_.beta;
  config["threshold"] = options_.threshold ? nlohmann::json(*options_.threshold) : nlohmann::json(nullptr);
  return config;
}

void FBetaScore::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  Backend& backend = detail::pair_backend(y_true, y_pred, name());
  const Shape& t = y_true.shape();
  const Shape& p = y_pred.shape();
  // Keras's message names FBetaScore for F1Score too.
  STRATA_CHECK(t.rank() == 2 && p.rank() == 2, ValueError,
               "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=",
               p.to_string(), " and y_true.shape=", t.to_string(), ".");
  STRATA_CHECK(t == p, ShapeError, "Metric \"", name(),
               "\": y_true and y_pred must have the same shape, received y_true.shape=", t.to_string(),
               ", y_pred.shape=", p.to_string());
  if (state_.defined())
    STRATA_CHECK(state_.shape()[1] == p[1], ShapeError, "Metric \"", name(), "\" counts ", state_.shape()[1],
                 " classes but received y_pred.shape=", p.to_string());
  Tensor view;
  const Tensor* weights = detail::weight_view(sample_weight, backend, p[0], name(), view);
  Tensor& state = detail::state_on(state_, backend, name(), Shape{4, p[1]});
  const float threshold =
      options_.threshold ? static_cast<float>(*options_.threshold) : std::numeric_limits<float>::quiet_NaN();
  backend.fbeta_update(y_true, y_pred, weights, threshold, state);
}

std::vector<double> FBetaScore::results() const {
  const std::vector<float> s = detail::read_state(state_);
  const std::size_t c = s.size() / 4;
  const double b2 = options_.beta * options_.beta;
  const auto score = [&](double tp, double fp, double fn) {
    const double precision = tp / (tp + fp + kEpsilon);
    const double recall = tp / (tp + fn + kEpsilon);
    return precision * recall / (b2 * precision + recall + kEpsilon) * (1.0 + b2);
  };
  if (options_.average == "micro") {
    double tp = 0, fp = 0, fn = 0;
    for (std::size_t j = 0; j < c; ++j) {
      tp += s[j];
      fp += s[c + j];
      fn += s[2 * c + j];
    }
    return {score(tp, fp, fn)};
  }
  std::vector<double> per_class(c);
  for (std::size_t j = 0; j < c; ++j) per_class[j] = score(s[j], s[c + j], s[2 * c + j]);
  if (!options_.average) return per_class;
  double out = 0.0;
  if (*options_.average == "weighted") {
    double total = 0.0;
    for (std::size_t j = 0; j < c; ++j) total += s[3 * c + j];
    for (std::size_t j = 0; j < c; ++j) out += per_class[j] * (s[3 * c + j] / (total + kEpsilon));
    return {out};
  }
  for (const double f : per_class) out += f;  // macro
  return {c == 0 ? 0.0 : out / static_cast<double>(c)};
}

double FBetaScore::result() const {
  STRATA_CHECK(scalar_result(), ValueError, "Metric \"", name(),
               "\" has average=None, so its result is one score per class: read results() instead of result()");
  return results()[0];
}

void FBetaScore::reset_state() { detail::state_reset(state_); }

FBetaScore::Options FBetaScore::read_options(const nlohmann::json& config, const char* class_name,
                                             const std::string& default_name, bool with_beta) {
  detail::ConfigReader reader(config, "metric", class_name);
  Options options;
  options.name = detail::read_common(reader, default_name);
  const nlohmann::json& average = reader.at("average");
  if (!average.is_null()) {
    STRATA_CHECK(average.is_string(), ValueError, reader.prefix(),
                 "config key \"average\" must be null or a string, received: ", average.dump());
    options.average = average.get<std::string>();
  }
  if (with_beta) options.beta = reader.number("beta", 1.0);
  const nlohmann::json& threshold = reader.at("threshold");
  if (!threshold.is_null()) options.threshold = reader.number("threshold", 0.5);
  reader.finish();
  return options;
}

std::vector<Tensor> FBetaScore::state_tensors() const {
  return state_.defined() ? std::vector<Tensor>{state_} : std::vector<Tensor>{};
}

std::shared_ptr<FBetaScore> FBetaScore::from_config(const nlohmann::json& config) {
  return std::make_shared<FBetaScore>(read_options(config, "FBetaScore", "fbeta_score", true));
}

}  // namespace strata::metrics
