#include "strata/metrics/mean_metric_wrapper.hpp"

#include "losses/shape_rules.hpp"
#include "metrics/metric_config.hpp"
#include "metrics/state.hpp"

namespace strata::metrics {

MeanMetricWrapper::MeanMetricWrapper(std::string name, MetricParams params, bool element_wise)
    : Metric(std::move(name)), params_(params), element_wise_(element_wise) {
  detail::check_name(this->name());
}

MeanMetricWrapper::MeanMetricWrapper(const MeanMetricWrapper& other)
    : Metric(other.name()), params_(other.params_), element_wise_(other.element_wise_) {}

MeanMetricWrapper& MeanMetricWrapper::operator=(const MeanMetricWrapper& other) {
  Metric::operator=(other);
  params_ = other.params_;
  element_wise_ = other.element_wise_;
  state_ = Tensor();
  return *this;
}

void MeanMetricWrapper::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  Backend& backend = detail::pair_backend(y_true, y_pred, name());
  STRATA_CHECK(y_pred.shape().rank() >= 1, ShapeError, "Metric \"", name(),
               "\": y_pred must have at least one axis, received shape ", y_pred.shape().to_string());

  Shape t = y_true.shape(), p = y_pred.shape();
  const MetricKind kind = params_.kind;
  const bool sparse =
      kind == MetricKind::SparseCategoricalAccuracy || kind == MetricKind::SparseTopKCategoricalAccuracy;
  if (sparse) {
    t = strata::detail::sparse_label_shape(t, p);
    STRATA_CHECK(t == p.without_last_axis(), ShapeError, "Metric \"", name(),
                 "\": y_true must hold one class index per sample of y_pred: expected shape ",
                 p.without_last_axis().to_string(), " or ", p.without_last_axis().with_axis_appended(1).to_string(),
                 ", received y_true.shape=", y_true.shape().to_string(), ", y_pred.shape=", y_pred.shape().to_string());
  } else {
    if (kind != MetricKind::CategoricalAccuracy && kind != MetricKind::TopKCategoricalAccuracy)
      strata::detail::squeeze_or_expand_to_same_rank(t, p);
    STRATA_CHECK(t == p, ShapeError, "Metric \"", name(),
                 "\": y_true and y_pred must have the same shape, received y_true.shape=", y_true.shape().to_string(),
                 ", y_pred.shape=", y_pred.shape().to_string());
  }
  if (p.rank() == 1) {
    if (element_wise_) {
      p = Shape{p[0], 1};
      t = p;
    } else {  // argmax or a mean over the last axis: one sample
      p = Shape{1, p[0]};
      t = sparse ? Shape{1} : p;
    }
  }
  // Samples are the first axis; middle axes of a rank-3 batch share their sample's weight.
  Tensor view;
  const Tensor* weights = detail::weight_view(sample_weight, backend, p[0], name(), view);
  Tensor& state = detail::state_on(state_, backend, name());
  backend.metric_update(params_, y_true.reshaped(t), y_pred.reshaped(p), weights, state);
}

double MeanMetricWrapper::result() const { return detail::state_result(state_); }

void MeanMetricWrapper::reset_state() { detail::state_reset(state_); }

std::vector<Tensor> MeanMetricWrapper::state_tensors() const {
  return state_.defined() ? std::vector<Tensor>{state_} : std::vector<Tensor>{};
}

}  // namespace strata::metrics
