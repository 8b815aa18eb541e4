#include "strata/metrics/recall.hpp"

#include <nlohmann/json.hpp>

#include "metrics/precision_recall.hpp"

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
  detail::write_threshold_options(config, options_);
  return config;
}

void Recall::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  counts_->update(y_true, y_pred, sample_weight, name());
}

std::vector<double> Recall::results() const {
  return detail::true_positive_ratios(*counts_, detail::OtherCount::FalseNegatives);
}

bool Recall::scalar_result() const { return counts_->thresholds() == 1; }

double Recall::result() const {
  STRATA_CHECK(scalar_result(), ValueError, "Metric \"", name(), "\" has ", counts_->thresholds(),
               " thresholds, so its result is one value per threshold: read results() instead of result()");
  return results()[0];
}

void Recall::reset_state() { counts_->reset(); }

std::shared_ptr<Recall> Recall::from_config(const nlohmann::json& config) {
  return std::make_shared<Recall>(detail::read_threshold_options<Options>(config, "Recall"));
}

std::vector<Tensor> Recall::state_tensors() const {
  return counts_->state().defined() ? std::vector<Tensor>{counts_->state()} : std::vector<Tensor>{};
}

}  // namespace strata::metrics
