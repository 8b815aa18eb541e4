#include "strata/model.hpp"

#include "api/summary_table.hpp"
#include "api/trainer.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/tensor_host.hpp"

namespace strata {

Model::Model(std::string name) : name_(std::move(name)), trainer_(std::make_unique<Trainer>(*this)) {}

Model::~Model() = default;

void Model::compile(Handle<Optimizer> optimizer, Handle<Loss> loss, std::vector<Handle<Metric>> metrics) {
  optimizer_ = optimizer.get();
  loss_ = loss.get();
  metrics_.clear();
  for (auto& metric : metrics) {
    for (const auto& existing : metrics_)
      STRATA_CHECK(existing->name() != metric->name() && metric->name() != "loss", ValueError,
                   "Metric names must be unique and differ from \"loss\"; \"", metric->name(),
                   "\" appears twice in compile()");
    metrics_.push_back(metric.get());
  }
}

Optimizer& Model::optimizer() const {
  STRATA_CHECK(optimizer_ != nullptr, StateError, "You must call `compile()` before using the model.");
  return *optimizer_;
}

History Model::fit(const xt::xarray<float>& x, const xt::xarray<float>& y, const FitOptions& options) {
  return trainer_->fit(x, y, options);
}

Logs Model::evaluate(const xt::xarray<float>& x, const xt::xarray<float>& y, const EvaluateOptions& options) {
  return trainer_->evaluate(x, y, options.batch_size, options.verbose);
}

xt::xarray<float> Model::predict(const xt::xarray<float>& x, const PredictOptions& options) {
  return trainer_->predict(x, options.batch_size, options.verbose);
}

Logs Model::train_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y) {
  return trainer_->train_on_batch(x, y);
}

Logs Model::test_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y) {
  return trainer_->test_on_batch(x, y);
}

xt::xarray<float> Model::predict_on_batch(const xt::xarray<float>& x) {
  const auto n = x.dimension() ? static_cast<int>(x.shape()[0]) : 0;
  return trainer_->predict(x, std::max(n, 1), 0);
}

std::vector<xt::xarray<float>> Model::get_weights() const {
  std::vector<xt::xarray<float>> out;
  for (Layer* layer : layers())
    for (Variable* v : layer->weights()) out.push_back(to_host(v->value));
  return out;
}

void Model::set_weights(const std::vector<xt::xarray<float>>& weights) {
  std::vector<Variable*> variables;
  for (Layer* layer : layers())
    for (Variable* v : layer->weights()) variables.push_back(v);
  STRATA_CHECK(weights.size() == variables.size(), ValueError, "You called `set_weights(weights)` on model \"",
               name_, "\" with a weight list of length ", weights.size(), ", but the model was expecting ",
               variables.size(), " weights.");
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const Shape given(std::vector<std::int64_t>(weights[i].shape().begin(), weights[i].shape().end()));
    STRATA_CHECK(given == variables[i]->value.shape(), ValueError, "Variable ", variables[i]->path,
                 " has shape ", variables[i]->value.shape().to_string(),
                 " but set_weights received a value of shape ", given.to_string());
  }
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const xt::xarray<float> row_major = weights[i];
    variables[i]->value.backend().upload(row_major.data(), variables[i]->value);
  }
}

std::int64_t Model::count_params() const {
  std::int64_t n = 0;
  for (const Layer* layer : layers()) n += layer->count_params();
  return n;
}

void Model::summary(std::ostream& out) const {
  std::vector<detail::SummaryRow> rows;
  detail::SummaryTotals totals;
  const bool known = built();
  Shape shape = known ? input_shape() : Shape{};
  for (Layer* layer : layers()) {
    detail::SummaryRow row{layer->name(), layer->class_name(), "?", std::nullopt, ""};
    if (known) {
      shape = layer->compute_output_shape(shape);
      row.output_shape = shape.to_string();
    }
    if (layer->built()) {
      row.params = layer->count_params();
      for (const Variable* v : layer->trainable_weights()) totals.trainable.params += v->value.size();
      for (const Variable* v : layer->non_trainable_weights()) totals.non_trainable.params += v->value.size();
    }
    rows.push_back(std::move(row));
  }
  totals.trainable = detail::SummaryCount::f32(totals.trainable.params);
  totals.non_trainable = detail::SummaryCount::f32(totals.non_trainable.params);
  if (optimizer_ && optimizer_->built()) {
    std::int64_t params = 0;
    for (const Variable* v : optimizer_->variables()) params += v->value.size();
    totals.optimizer = detail::SummaryCount::f32(params);
  }
  out << detail::render_summary(name_, rows, totals, true);
}

}  // namespace strata
