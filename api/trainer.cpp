#include "api/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/progbar.hpp"
#include "strata/random.hpp"

namespace strata {

namespace {

Shape sample_shape_of(const xt::xarray<float>& a) {
  return Shape(std::vector<std::int64_t>(a.shape().begin() + 1, a.shape().end()));
}

Shape full_shape_of(const xt::xarray<float>& a) {
  return Shape(std::vector<std::int64_t>(a.shape().begin(), a.shape().end()));
}

std::int64_t samples_in(const xt::xarray<float>& a) { return a.dimension() == 0 ? 0 : std::int64_t(a.shape()[0]); }

std::int64_t steps_for(std::int64_t samples, int batch_size) { return (samples + batch_size - 1) / batch_size; }

void check_batch_size(int batch_size) {
  STRATA_CHECK(batch_size > 0, ValueError, "batch_size must be a positive integer, received ", batch_size);
}

}  // namespace

void Trainer::require_compiled() const {
  STRATA_CHECK(model_.compiled(), StateError, "You must call `compile()` before using the model.");
}

void Trainer::check_data(const xt::xarray<float>& x, const xt::xarray<float>* y) {
  STRATA_CHECK(x.dimension() >= 1 && samples_in(x) > 0, ValueError,
               "Expected input data with at least one sample, received an array of shape ",
               full_shape_of(x).to_string());
  if (y) {
    STRATA_CHECK(y->dimension() >= 1 && samples_in(*y) == samples_in(x), ValueError,
                 "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                 "'x' sizes: ", samples_in(x), ", 'y' sizes: ", y->dimension() ? samples_in(*y) : 0);
  }
  if (!model_.built()) model_.build(full_shape_of(x).with_batch(kNone));
  const auto layers = model_.layers();
  backend_ = layers.empty() ? &current_backend() : &layers.front()->backend();
  const Shape expected = model_.input_shape();
  if (sample_shape_of(x) != expected.without_batch())
    throw ShapeError(detail::concat("Input 0 of layer \"", model_.name(),
                                    "\" is incompatible with the layer: expected shape=", expected.to_string(),
                                    ", found shape=", full_shape_of(x).to_string()));
  if (!y) return;

  const Shape output = model_.output_shape();
  const Shape target = sample_shape_of(*y);
  const Loss& loss = *model_.loss_;
  if (loss.sparse_labels()) {
    // One class index per sample: the output's shape without its class axis, or with it as 1.
    const Shape labels = output.without_last_axis();
    const Shape labels_column = labels.with_axis_appended(1);
    STRATA_CHECK(target == labels.without_batch() || target == labels_column.without_batch(), ShapeError,
                 "Sparse labels for an output of shape ", output.to_string(),
                 " must hold one class index per sample: expected y of shape ", labels.to_string(), " or ",
                 labels_column.to_string(), ", received y of shape ", full_shape_of(*y).to_string());
    const auto classes = static_cast<float>(output[-1]);
    const float* labels_data = y->data();
    for (std::size_t i = 0; i < y->size(); ++i) {
      const float label = labels_data[i];
      if (!(label >= 0.f && label < classes && label == std::floor(label)))
        throw ValueError(detail::concat("Received a label value of ", label,
                                        " which is outside the valid range of [0, ", output[-1], ") (sample ",
                                        i / (y->size() / samples_in(*y)), ")"));
    }
  } else {
    const Shape want = output.without_batch();
    const bool column_for_vector = want == Shape{1} && target == Shape{};
    if (target != want && !column_for_vector)
      throw ShapeError(detail::concat("Arguments `target` and `output` must have the same shape. Received: "
                                      "target.shape=", full_shape_of(*y).to_string(),
                                      ", output.shape=", output.to_string()));
  }
}

void Trainer::collect_trainable() {
  // Keras freezes trainability when training starts: later set_trainable calls need a new fit.
  trainable_.clear();
  for (Layer* layer : model_.layers())
    for (Variable* v : layer->trainable_weights()) trainable_.push_back(v);
}

void Trainer::reset_trackers() {
  reuse_or_allocate(loss_tracker_, *backend_, Shape{2});
  backend_->fill(loss_tracker_, 0.f);
  for (auto& metric : model_.metrics_) metric->reset_state();
}

namespace {

// Uploads `count` rows of `row` floats into `batch`: rows first.. of the contiguous range starting
// at `begin`, or the rows order[first..] names (gathered into `staging` first).
void upload_rows(const float* all, std::int64_t row, std::int64_t begin, const std::vector<std::int64_t>& order,
                 std::int64_t first, std::int64_t count, std::vector<float>& staging, Tensor& batch) {
  if (order.empty()) {
    batch.backend().upload(all + (begin + first) * row, batch);
    return;
  }
  staging.resize(static_cast<std::size_t>(count * row));
  for (std::int64_t i = 0; i < count; ++i)
    std::memcpy(staging.data() + i * row, all + order[first + i] * row, row * sizeof(float));
  batch.backend().upload(staging.data(), batch);
}

}  // namespace

void Trainer::load_batch(const Samples& data, const std::vector<std::int64_t>& order, std::int64_t first,
                         std::int64_t count, bool with_targets) {
  const Shape input = model_.input_shape().with_batch(count);
  reuse_or_allocate(x_batch_, *backend_, input);
  upload_rows(data.x->data(), input.sample_size(), data.begin, order, first, count, x_staging_, x_batch_);
  if (!with_targets) return;

  Shape target = model_.output_shape().with_batch(count);
  if (model_.loss_->sparse_labels()) target = target.without_last_axis();
  reuse_or_allocate(y_batch_, *backend_, target);
  upload_rows(data.y->data(), target.sample_size(), data.begin, order, first, count, y_staging_, y_batch_);
}

void Trainer::train_step(std::int64_t epoch, std::int64_t step) {
  Backend& backend = *backend_;
  const Tensor y_pred = model_.forward(x_batch_, true);
  const Shape values = y_pred.shape().without_last_axis();
  reuse_or_allocate(loss_values_, backend, values);
  reuse_or_allocate(loss_grad_, backend, y_pred.shape());
  model_.loss_->compute(y_batch_, y_pred, loss_values_, &loss_grad_, loss_tracker_);
  float tracker[2];
  backend.download(loss_tracker_, tracker);
  if (!std::isfinite(tracker[0]))
    throw ValueError(detail::concat("Invalid loss (", tracker[0], ") at epoch ", epoch + 1, ", batch ", step,
                                    ": training stopped. Check the data for NaN or infinite values, or lower the "
                                    "learning rate."));
  for (auto& metric : model_.metrics_) metric->update_state(y_batch_, y_pred);
  model_.backward(loss_grad_);
  model_.optimizer_->apply(trainable_);
}

void Trainer::test_step() {
  Backend& backend = *backend_;
  const Tensor y_pred = model_.forward(x_batch_, false);
  const Shape values = y_pred.shape().without_last_axis();
  reuse_or_allocate(loss_values_, backend, values);
  model_.loss_->compute(y_batch_, y_pred, loss_values_, nullptr, loss_tracker_);
  for (auto& metric : model_.metrics_) metric->update_state(y_batch_, y_pred);
}

void Trainer::read_logs(Logs& logs, const std::string& prefix) const {
  // Keys already in `logs` are updated in place, so a step reading the same keys again
  // allocates nothing.
  const auto set = [&](const std::string& key, double value) {
    if (prefix.empty()) {
      if (auto it = logs.find(key); it != logs.end()) {
        it->second = value;
        return;
      }
    }
    logs[prefix + key] = value;
  };
  float tracker[2];
  loss_tracker_.backend().download(loss_tracker_, tracker);
  set("loss", tracker[1] > 0 ? double(tracker[0]) / double(tracker[1]) : 0.0);
  for (const auto& metric : model_.metrics_) set(metric->name(), metric->result());
}

Logs Trainer::run_test_loop(const Samples& data, int batch_size, Progbar* bar) {
  reset_trackers();
  const std::int64_t steps = steps_for(data.size(), batch_size);
  Logs logs;
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t first = step * batch_size;
    load_batch(data, {}, first, std::min<std::int64_t>(batch_size, data.size() - first), true);
    test_step();
    read_logs(logs);
    if (bar) bar->update(step + 1, logs, step + 1 == steps);
  }
  return logs;
}

History Trainer::fit(const xt::xarray<float>& x, const xt::xarray<float>& y, const FitOptions& options) {
  require_compiled();
  check_batch_size(options.batch_size);
  STRATA_CHECK(options.validation_split >= 0.0 && options.validation_split < 1.0, ValueError,
               "validation_split must be in [0, 1), received ", options.validation_split);
  check_data(x, &y);
  if (options.validation_data) check_data(options.validation_data->first, &options.validation_data->second);

  // Keras holds out the last fraction of the samples, before any shuffling.
  const std::int64_t n = samples_in(x);
  Samples train{&x, &y, 0, n};
  Samples validation;
  if (options.validation_data) {
    const auto& [vx, vy] = *options.validation_data;
    validation = Samples{&vx, &vy, 0, samples_in(vx)};
  } else if (options.validation_split > 0.0) {
    const auto split_at = static_cast<std::int64_t>(std::floor(double(n) * (1.0 - options.validation_split)));
    STRATA_CHECK(split_at > 0 && split_at < n, ValueError, "validation_split=", options.validation_split,
                 " leaves no samples for training or for validation out of ", n);
    train.end = split_at;
    validation = Samples{&x, &y, split_at, n};
  }

  collect_trainable();

  const std::int64_t steps = steps_for(train.size(), options.batch_size);
  History history;
  history.params = {{"verbose", options.verbose}, {"epochs", options.epochs}, {"steps", int(steps)}};
  model_.stop_training = false;

  std::vector<std::int64_t> order(static_cast<std::size_t>(train.size()));
  std::iota(order.begin(), order.end(), train.begin);
  for (int epoch = options.initial_epoch; epoch < options.epochs && !model_.stop_training; ++epoch) {
    if (options.verbose && options.epochs > 1) std::cout << "Epoch " << epoch + 1 << '/' << options.epochs << '\n';
    if (options.shuffle) std::shuffle(order.begin(), order.end(), detail::global_rng());
    reset_trackers();
    Progbar bar(steps, options.verbose, std::cout);
    Logs logs;
    for (std::int64_t step = 0; step < steps; ++step) {
      const std::int64_t first = step * options.batch_size;
      load_batch(Samples{&x, &y, 0, n}, order, first, std::min<std::int64_t>(options.batch_size, train.size() - first),
                 true);
      train_step(epoch, step);
      read_logs(logs);
      if (options.verbose == 1) bar.update(step + 1, logs, false);
    }
    if (validation.size() > 0) {
      run_test_loop(validation, options.batch_size, nullptr);
      read_logs(logs, "val_");
    }
    if (options.verbose) bar.update(steps, logs, true);
    for (const auto& [key, value] : logs) history.history[key].push_back(value);
    history.epoch.push_back(epoch);
  }
  return history;
}

Logs Trainer::evaluate(const xt::xarray<float>& x, const xt::xarray<float>& y, int batch_size, int verbose) {
  require_compiled();
  check_batch_size(batch_size);
  check_data(x, &y);
  const Samples data{&x, &y, 0, samples_in(x)};
  Progbar bar(steps_for(data.size(), batch_size), verbose, std::cout);
  return run_test_loop(data, batch_size, verbose ? &bar : nullptr);
}

xt::xarray<float> Trainer::predict(const xt::xarray<float>& x, int batch_size, int verbose) {
  check_batch_size(batch_size);
  check_data(x, nullptr);
  const std::int64_t n = samples_in(x);
  const Shape output = model_.output_shape().with_batch(n);
  std::vector<std::size_t> shape(output.dims().begin(), output.dims().end());
  xt::xarray<float> result = xt::xarray<float>::from_shape(shape);
  const std::int64_t row = output.sample_size();
  const std::int64_t steps = steps_for(n, batch_size);
  const Samples data{&x, nullptr, 0, n};
  Progbar bar(steps, verbose, std::cout);
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t first = step * batch_size;
    load_batch(data, {}, first, std::min<std::int64_t>(batch_size, n - first), false);
    const Tensor y_pred = model_.forward(x_batch_, false);
    y_pred.backend().download(y_pred, result.data() + first * row);
    if (verbose) bar.update(step + 1, {}, step + 1 == steps);
  }
  return result;
}

Logs Trainer::train_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y) {
  require_compiled();
  check_data(x, &y);
  collect_trainable();
  reset_trackers();
  load_batch(Samples{&x, &y, 0, samples_in(x)}, {}, 0, samples_in(x), true);
  train_step(0, 0);
  Logs logs;
  read_logs(logs);
  return logs;
}

Logs Trainer::test_on_batch(const xt::xarray<float>& x, const xt::xarray<float>& y) {
  require_compiled();
  check_data(x, &y);
  reset_trackers();
  load_batch(Samples{&x, &y, 0, samples_in(x)}, {}, 0, samples_in(x), true);
  test_step();
  Logs logs;
  read_logs(logs);
  return logs;
}

}  // namespace strata
