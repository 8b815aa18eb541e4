#include "strata/metrics/mean_metric_wrapper.hpp"

#include "losses/shape_rules.hpp"
#include "metrics/metric_config.hpp"
#include "metrics/state.hpp"

namespace strata::metrics {

MeanMetricWrapper::MeanMetricWrapper(std::string name, MetricKind kind, float threshold)
    : Metric(std::move(name)), kind_(kind), threshold_(threshold) {
  detail::check_name(this->name());
}

MeanMetricWrapper::MeanMetricWrapper(const MeanMetricWrapper& other)
    : Metric(other.name()), kind_(other.kind_), threshold_(other.threshold_) {}

MeanMetricWrapper& MeanMetricWrapper::operator=(const MeanMetricWrapper& other) {
  Metric::operator=(other);
  kind_ = other.kind_;
  threshold_ = other.threshold_;
  state_ = Tensor();
  return *this;
}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred) {
  STRATA_CHECK(y_true.defined() && y_pred.defined(), ValueError, "Metric \"", name(),
               "\": y_true and y_pred must both be defined tensors");
  Backend& backend = y_pred.backend();
  STRATA_CHECK(&y_true.backend() == &backend, ValueError, "Metric \"", name(), "\": y_true lives on backend \"",
               y_true.backend().name(), "\" but y_pred on \"", backend.name(), "\"");
  STRATA_CHECK(y_pred.shape().rank() >= 1, ShapeError, "Metric \"", name(),
               "\": y_pred must have at least one axis, received shape ", y_pred.shape().to_string());

  Shape t = y_true.shape(), p = y_pred.shape();
  const bool sparse = kind_ == MetricKind::SparseCategoricalAccuracy;
  if (sparse) {
    t = strata::detail::sparse_label_shape(t, p);
    STRATA_CHECK(t == p.without_last_axis(), ShapeError, "Metric \"", name(),
                 "\": y_true must hold one class index per sample of y_pred: expected shape ",
                 p.without_last_axis().to_string(), " or ", p.without_last_axis().with_axis_appended(1).to_string(),
                 ", received y_true.shape=", y_true.shape().to_string(), ", y_pred.shape=", y_pred.shape().to_string());
  } else {
    if (kind_ != MetricKind::CategoricalAccuracy) strata::detail::squeeze_or_expand_to_same_rank(t, p);
    STRATA_CHECK(t == p, ShapeError, "Metric \"", name(),
                 "\": y_true and y_pred must have the same shape, received y_true.shape=", y_true.shape().to_string(),
                 ", y_pred.shape=", y_pred.shape().to_string());
  }
  if (p.rank() == 1) {
    if (kind_ == MetricKind::Accuracy || kind_ == MetricKind::BinaryAccuracy) {
      // Keras's accuracy and binary_accuracy are element-wise: each element is a sample.
      p = Shape{p[0], 1};
      t = p;
    } else {  // argmax or a mean over the last axis: one sample
      p = Shape{1, p[0]};
      t = sparse ? Shape{1} : p;
    }
  }
  Tensor& state = detail::state_on(state_, backend, name());
  backend.metric_update(kind_, y_true.reshaped(t), y_pred.reshaped(p), threshold_, state);
}

double MeanMetricWrapper::result() const { return detail::state_result(state_); }

void MeanMetricWrapper::reset_state() { detail::state_reset(state_); }

}  // namespace strata::metrics
