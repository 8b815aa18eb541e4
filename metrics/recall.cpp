#include "strata/metrics/recall.hpp"

#include <nlohmann/json.hpp>

#include "metrics/confusion_counts.hpp"
#include "metrics/metric_config.hpp"

namespace strata::metrics {

Recall::Recall(Options options)
    : Metric(options.name),
      options_(std::move(options)),
      counts_(std::make_unique<strata::detail::ConfusionCounts>(
          strata::detail::precision_recall_counts(options_.thresholds, options_.top_k, options_.class_id))) {
  detail::check_name(name());
}

Recall::Recall(const Recall& other)
    : Metric(other.name()),
      options_(other.options_),
      counts_(std::make_unique<strata::detail::ConfusionCounts>(*other.counts_)) {}

Recall& Recall::operator=(const Recall& other) {
  Metric::operator=(other);
  options_ = other.options_;
  counts_ = std::make_unique<strata::detail::ConfusionCounts>(*other.counts_);
  return *this;
}

Recall::~Recall() = default;

nlohmann::json Recall::get_config() const {
  nlohmann::json config = Metric::get_config();
  config["thresholds"] = strata::detail::thresholds_json(options_.thresholds);
  config["top_k"] = strata::detail::optional_json(options_.top_k);
  config["class_id"] = strata::detail::optional_json(options_.class_id);
  return config;
}

void Recall::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  counts_->update(y_true, y_pred, sample_weight, name());
}

std::vector<double> Recall::results() const {
  const std::vector<double> counts = counts_->read();
  const std::size_t T = counts_->thresholds();
  std::vector<double> out(T);
  for (std::size_t i = 0; i < T; ++i) {
    const double tp = counts[i], other = counts[3 * T + i];
    out[i] = tp + other == 0 ? 0.0 : tp / (tp + other);  // Keras's divide_no_nan
  }
  return out;
}

bool Recall::scalar_result() const { return counts_->thresholds() == 1; }

double Recall::result() const {
  STRATA_CHECK(scalar_result(), ValueError, "Metric \"", name(), "\" has ", counts_->thresholds(),
               " thresholds, so its result is one value per threshold: read results() instead of result()");
  return results()[0];
}

void Recall::reset_state() { counts_->reset(); }

std::shared_ptr<Recall> Recall::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "Recall");
  Options options;
  options.name = detail::read_common(reader, options.name);
  options.thresholds = strata::detail::read_thresholds(reader);
  options.top_k = strata::detail::read_optional_int(reader, "top_k");
  options.class_id = strata::detail::read_optional_int(reader, "class_id");
  reader.finish();
  return std::make_shared<Recall>(std::move(options));
}

std::vector<Tensor> Recall::state_tensors() const {
  return counts_->state().defined() ? std::vector<Tensor>{counts_->state()} : std::vector<Tensor>{};
}

}  // namespace strata::metrics
