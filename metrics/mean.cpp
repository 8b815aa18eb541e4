#include "strata/metrics/mean.hpp"

#include <nlohmann/json.hpp>

#include "losses/shape_rules.hpp"
#include "metrics/metric_config.hpp"
#include "metrics/state.hpp"

namespace strata::metrics {

Mean::Mean(std::string name) : Metric(std::move(name)) { detail::check_name(this->name()); }

Mean::Mean(const Mean& other) : Metric(other.name()) {}

Mean& Mean::operator=(const Mean& other) {
  Metric::operator=(other);
  state_ = Tensor();
  weighted_.reset();
  return *this;
}

nlohmann::json Mean::get_config() const { return Metric::get_config(); }

void Mean::update_state(const Tensor& values) {
  STRATA_CHECK(values.defined(), ValueError, "Metric \"", name(), "\": values must be a defined tensor");
  Backend& backend = values.backend();
  Tensor& state = detail::state_on(state_, backend, name());
  // Keras: each sample is the mean of its elements and counts once.
  const std::int64_t batch = values.shape().rank() == 0 ? 1 : values.shape()[0];
  const std::int64_t n = values.size();
  if (!weighted_) weighted_ = std::make_shared<strata::detail::WeightedSum>();
  weighted_->add(backend, values, batch, n > 0 ? 1.0 / static_cast<double>(n) : 1.0, state);
}

void Mean::update_state(const Tensor& values, const Tensor* sample_weight) {
  if (!sample_weight) return update_state(values);
  STRATA_CHECK(values.defined(), ValueError, "Metric \"", name(), "\": values must be a defined tensor");
  Backend& backend = values.backend();
  const std::int64_t batch = values.shape().rank() == 0 ? 1 : values.shape()[0];
  Tensor view;
  const Tensor* weights = detail::weight_view(sample_weight, backend, batch, name(), view);
  Tensor& state = detail::state_on(state_, backend, name());
  if (batch == 0) return;
  backend.metric_update(MetricParams{.kind = MetricKind::Mean}, Tensor(),
                        values.reshaped(Shape{batch, values.size() / batch}), weights, state);
}

void Mean::update_state(const Tensor& /*y_true*/, const Tensor& y_pred, const Tensor* sample_weight) {
  update_state(y_pred, sample_weight);
}

double Mean::result() const { return detail::state_result(state_); }

void Mean::reset_state() { detail::state_reset(state_); }

std::shared_ptr<Mean> Mean::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "Mean");
  auto out = std::make_shared<Mean>(detail::read_common(reader, "mean"));
  reader.finish();
  return out;
}

std::vector<Tensor> Mean::state_tensors() const {
  return state_.defined() ? std::vector<Tensor>{state_} : std::vector<Tensor>{};
}

}  // namespace strata::metrics
