#include "strata/metrics/r2_score.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "losses/shape_rules.hpp"
#include "metrics/metric_config.hpp"
#include "metrics/state.hpp"

namespace strata::metrics {

R2Score::R2Score(Options options) : Metric(options.name), options_(std::move(options)) {
  detail::check_name(name());
  const auto& aggregation = options_.class_aggregation;
  STRATA_CHECK(!aggregation || *aggregation == "uniform_average" || *aggregation == "variance_weighted_average",
               ValueError,
               "Invalid value for argument `class_aggregation`. Expected one of (None, 'uniform_average', "
               "'variance_weighted_average'). Received: class_aggregation=",
               *aggregation);
  STRATA_CHECK(options_.num_regressors >= 0, ValueError,
               "Invalid value for argument `num_regressors`. Expected a value >= 0. Received: num_regressors=",
               options_.num_regressors);
}

R2Score::R2Score(const R2Score& other) : Metric(other.name()), options_(other.options_) {}

R2Score& R2Score::operator=(const R2Score& other) {
  Metric::operator=(other);
  options_ = other.options_;
  state_ = Tensor();
  num_samples_ = 0;
  return *this;
}

nlohmann::json R2Score::get_config() const {
  nlohmann::json config = Metric::get_config();
  config["class_aggregation"] =
      options_.class_aggregation ? nlohmann::json(*options_.class_aggregation) : nlohmann::json(nullptr);
  config["num_regressors"] = options_.num_regressors;
  return config;
}

void R2Score::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  Backend& backend = detail::pair_backend(y_true, y_pred, name());
  Shape t = y_true.shape(), p = y_pred.shape();
  strata::detail::squeeze_or_expand_to_same_rank(t, p);
  STRATA_CHECK(t.rank() == 2 && p.rank() == 2, ValueError,
               "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=",
               p.to_string(), " and y_true.shape=", t.to_string(), ".");
  STRATA_CHECK(t == p, ShapeError, "Metric \"", name(),
               "\": y_true and y_pred must have the same shape, received y_true.shape=", y_true.shape().to_string(),
               ", y_pred.shape=", y_pred.shape().to_string());
  if (state_.defined())
    STRATA_CHECK(state_.shape()[1] == p[1], ShapeError, "Metric \"", name(), "\" sums ", state_.shape()[1],
                 " outputs but received y_pred.shape=", y_pred.shape().to_string());
  Tensor view;
  const Tensor* weights = detail::weight_view(sample_weight, backend, p[0], name(), view);
  Tensor& state = detail::state_on(state_, backend, name(), Shape{4, p[1]});
  backend.r2_update(y_true.reshaped(t), y_pred.reshaped(p), weights, state);
  num_samples_ += t.num_elements();
}

std::vector<double> R2Score::results() const {
  const std::vector<float> s = detail::read_state(state_);
  const std::size_t c = s.size() / 4;
  if (c == 0) return options_.class_aggregation ? std::vector<double>{0.0} : std::vector<double>{};
  std::vector<double> raw(c), total(c);
  for (std::size_t j = 0; j < c; ++j) {
    const double sum = s[j], squared_sum = s[c + j], residual = s[2 * c + j], count = s[3 * c + j];
    const double mean = sum / count;
    total[j] = squared_sum - sum * mean;
    raw[j] = 1.0 - residual / total[j];
    if (std::isinf(raw[j])) raw[j] = 0.0;  // Keras: a column of constant y_true scores 0
  }
  if (!options_.class_aggregation) return raw;
  double score = 0.0;
  if (*options_.class_aggregation == "uniform_average") {
    for (const double r : raw) score += r;
    score /= static_cast<double>(c);
  } else {
    double weighted = 0.0, weights = 0.0;
    for (std::size_t j = 0; j < c; ++j) {
      weighted += total[j] * raw[j];
      weights += total[j];
    }
    score = weighted / weights;
  }
  const auto n = static_cast<double>(num_samples_);
  const auto regressors = static_cast<double>(options_.num_regressors);
  // Keras falls back to the plain score (with a warning) unless n - 1 > num_regressors.
  if (options_.num_regressors != 0 && regressors < n - 1)
    score = 1.0 - (1.0 - score) * (n - 1.0) / (n - regressors - 1.0);
  return {score};
}

double R2Score::result() const {
  STRATA_CHECK(scalar_result(), ValueError, "Metric \"", name(),
               "\" has class_aggregation=None, so its result is one score per output: read results() instead of "
               "result()");
  return results()[0];
}

void R2Score::reset_state() {
  detail::state_reset(state_);
  num_samples_ = 0;
}

std::vector<Tensor> R2Score::state_tensors() const {
  // The adjusted score also needs the number of samples, which is counted on the host.
  STRATA_CHECK(options_.num_regressors == 0, ValueError, "Metric \"", name(),
               "\": R2Score with num_regressors counts its samples on the host and cannot be added across processes");
  return state_.defined() ? std::vector<Tensor>{state_} : std::vector<Tensor>{};
}

std::shared_ptr<R2Score> R2Score::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "R2Score");
  Options options;
  options.name = detail::read_common(reader, options.name);
  const nlohmann::json& aggregation = reader.at("class_aggregation");
  if (aggregation.is_null()) {
    options.class_aggregation.reset();
  } else {
    STRATA_CHECK(aggregation.is_string(), ValueError, reader.prefix(),
                 "config key \"class_aggregation\" must be null or a string, received: ", aggregation.dump());
    options.class_aggregation = aggregation.get<std::string>();
  }
  options.num_regressors = static_cast<std::int64_t>(reader.number("num_regressors", 0));
  reader.finish();
  return std::make_shared<R2Score>(std::move(options));
}

}  // namespace strata::metrics
