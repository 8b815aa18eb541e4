#include "api/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include <nlohmann/json.hpp>

#include "api/progbar_format.hpp"
#include "backends/host_memory.hpp"
#include "optimizers/config.hpp"
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

// Keras reads a batch_size of 0 as "not given" and uses its default of 32 (fit, evaluate and
// predict alike); a negative one it cannot use, and neither can Strata.
int batch_size_or_default(int batch_size) {
  STRATA_CHECK(batch_size >= 0, ValueError, "batch_size must be a positive integer, received ", batch_size);
  return batch_size == 0 ? 32 : batch_size;
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out + "]";
}

// The arrays of `given` in the order of `names` (the model's inputs or outputs): by position,
// or by name when `given` is a map. `what` is "input" or "target".
std::vector<const xt::xarray<float>*> order_by_names(const Arrays& given, const std::vector<std::string>& names,
                                                     const char* what, const std::string& model) {
  std::vector<const xt::xarray<float>*> out;
  if (given.names().empty()) {
    STRATA_CHECK(given.size() == names.size(), ValueError, "Model \"", model, "\" expects ", names.size(), " ", what,
                 " array(s) ", list_names(names), ", but it received ", given.size(), ".");
    for (std::size_t i = 0; i < given.size(); ++i) out.push_back(&given[i]);
    return out;
  }
  for (const auto& key : given.names())
    STRATA_CHECK(std::find(names.begin(), names.end(), key) != names.end(), ValueError, "Model \"", model, "\" has no ",
                 what, " named '", key, "'; expected keys ", list_names(names), ".");
  for (const auto& name : names) {
    const auto& keys = given.names();
    const auto it = std::find(keys.begin(), keys.end(), name);
    STRATA_CHECK(it != keys.end(), ValueError, "Model \"", model, "\": no ", what, " array for '", name,
                 "'; expected keys ", list_names(names), ", received ", list_names(keys), ".");
    out.push_back(&given[static_cast<std::size_t>(it - keys.begin())]);
  }
  return out;
}

}  // namespace

void Trainer::compile(LossSpec loss, MetricSpec metrics, LossWeights loss_weights) {
  loss_spec_ = std::move(loss);
  metric_spec_ = std::move(metrics);
  weight_spec_ = std::move(loss_weights);
  heads_resolved_ = false;
  heads_.clear();
  // A model whose outputs are known now gets its name checks now, as Keras's compile does.
  if (model_.graph_ || !model_.traced_output_shapes_.empty()) resolve_heads();
}

void Trainer::require_compiled() const {
  STRATA_CHECK(model_.compiled(), StateError, "You must call `compile()` before using the model.");
}

void Trainer::resolve_heads() {
  const auto names = model_.output_names();
  const std::string& model = model_.name();
  heads_.clear();
  heads_.resize(names.size());
  const bool several = names.size() > 1;
  for (std::size_t i = 0; i < names.size(); ++i) heads_[i].name = names[i];
  // The head an output name of a weights or metrics map stands for.
  const auto head_named = [&](const std::string& key, const char* dict) -> Head& {
    const auto it = std::find(names.begin(), names.end(), key);
    STRATA_CHECK(it != names.end(), ValueError, "Expected keys ", list_names(names), " in ", dict,
                 " dict, but found key '", key, "'");
    return heads_[static_cast<std::size_t>(it - names.begin())];
  };

  // Losses.
  if (loss_spec_.single()) {
    for (std::size_t i = 0; i < heads_.size(); ++i) {
      // A name gives each output its own loss object (a loss keeps per-shape buffers).
      heads_[i].loss = i == 0 ? loss_spec_.single()->get()
                              : Loss::from_config(nlohmann::json{{"class_name", (*loss_spec_.single())->class_name()},
                                                                 {"config", (*loss_spec_.single())->get_config()}});
    }
  } else if (!loss_spec_.by_name().empty()) {
    std::vector<std::string> keys;
    for (const auto& [key, loss] : loss_spec_.by_name()) keys.push_back(key);
    for (const auto& key : keys)
      STRATA_CHECK(std::find(names.begin(), names.end(), key) != names.end(), ValueError, "Expected keys ",
                   list_names(names), " in loss dict, but found loss.keys()=", list_names(keys));
    for (auto& head : heads_)
      if (auto it = loss_spec_.by_name().find(head.name); it != loss_spec_.by_name().end())
        head.loss = it->second.get();
  } else {
    STRATA_CHECK(loss_spec_.by_position().size() == heads_.size(), ValueError, "Model \"", model, "\" has ",
                 heads_.size(), " outputs ", list_names(names), " but compile received ",
                 loss_spec_.by_position().size(), " losses.");
    for (std::size_t i = 0; i < heads_.size(); ++i) heads_[i].loss = loss_spec_.by_position()[i].get();
  }
  bool any_loss = false;
  for (const auto& head : heads_) any_loss = any_loss || head.loss != nullptr;
  STRATA_CHECK(any_loss, ValueError, "Model \"", model, "\": compile() gave no loss for any output ",
               list_names(names));

  // Loss weights.
  if (!weight_spec_.by_name().empty()) {
    for (const auto& [key, weight] : weight_spec_.by_name()) head_named(key, "loss_weights").weight = weight;
  } else if (!weight_spec_.by_position().empty()) {
    STRATA_CHECK(weight_spec_.by_position().size() == heads_.size(), ValueError, "Model \"", model, "\" has ",
                 heads_.size(), " outputs but compile received ", weight_spec_.by_position().size(), " loss weights.");
    for (std::size_t i = 0; i < heads_.size(); ++i) heads_[i].weight = weight_spec_.by_position()[i];
  }

  // Metrics.
  const auto add_metric = [&](Head& head, const std::shared_ptr<Metric>& metric) {
    const std::string key = several ? head.name + "_" + metric->name() : metric->name();
    for (const auto& other : heads_)
      for (const auto& existing : other.metric_keys)
        STRATA_CHECK(existing != key, ValueError, "Metric names must be unique and differ from \"loss\"; \"", key,
                     "\" appears twice in compile()");
    STRATA_CHECK(key != "loss", ValueError, "Metric names must be unique and differ from \"loss\"; \"", key,
                 "\" appears twice in compile()");
    head.metrics.push_back(metric);
    head.metric_keys.push_back(key);
  };
  if (!metric_spec_.by_name().empty()) {
    for (const auto& [key, list] : metric_spec_.by_name()) {
      Head& head = head_named(key, "metrics");
      for (const auto& metric : list) add_metric(head, metric.get());
    }
  } else {
    for (std::size_t i = 0; i < heads_.size(); ++i)
      for (const auto& metric : metric_spec_.all())
        // Each output keeps its own running state: later outputs get a fresh metric of the same name.
        add_metric(heads_[i], i == 0 ? metric.get() : Metric::from_name(metric->name()));
  }
  for (auto& head : heads_)
    if (head.loss) head.loss_key = several ? head.name + "_loss" : "loss";
  heads_resolved_ = true;
}

Trainer::Feed Trainer::bind_inputs(const Arrays& x) {
  STRATA_CHECK(x.size() > 0, ValueError, "Expected input data, received no arrays");
  const Array& first = x[0];
  STRATA_CHECK(first.dimension() >= 1 && samples_in(first) > 0, ValueError,
               "Expected input data with at least one sample, received an array of shape ",
               full_shape_of(first).to_string());
  for (std::size_t i = 1; i < x.size(); ++i)
    STRATA_CHECK(x[i].dimension() >= 1 && samples_in(x[i]) == samples_in(first), ValueError,
                 "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                 "'x' sizes: ",
                 samples_in(first), ", ", x[i].dimension() ? samples_in(x[i]) : 0);
  if (!model_.built()) {
    // A model without an Input learns its input shapes from the data, as Keras builds on fit.
    std::vector<Shape> shapes;
    for (std::size_t i = 0; i < x.size(); ++i) shapes.push_back(full_shape_of(x[i]).with_batch(kNone));
    model_.build(shapes);
  }
  const auto weights = model_.weights();
  backend_ = weights.empty() ? &current_backend() : &weights.front()->value.backend();
  Feed feed = order_by_names(x, model_.input_names(), "input", model_.name());
  const auto expected = model_.input_shapes();
  for (std::size_t i = 0; i < feed.size(); ++i)
    if (sample_shape_of(*feed[i]) != expected[i].without_batch())
      throw ShapeError(detail::concat("Input ", i, " of layer \"", model_.name(),
                                      "\" is incompatible with the layer: expected shape=", expected[i].to_string(),
                                      ", found shape=", full_shape_of(*feed[i]).to_string()));
  if (!heads_resolved_ && model_.compiled()) resolve_heads();
  return feed;
}

Trainer::Feed Trainer::bind_targets(const Arrays& y, std::int64_t samples) {
  std::vector<std::string> names;
  for (const auto& head : heads_) names.push_back(head.name);
  Feed feed = order_by_names(y, names, "target", model_.name());
  for (const Array* array : feed)
    STRATA_CHECK(array->dimension() >= 1 && samples_in(*array) == samples, ValueError,
                 "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. "
                 "'x' sizes: ",
                 samples, ", 'y' sizes: ", array->dimension() ? samples_in(*array) : 0);
  check_targets(feed);
  return feed;
}

void Trainer::check_targets(const Feed& y) const {
  const auto outputs = model_.output_shapes();
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    const Head& head = heads_[h];
    if (!head.loss) continue;
    const Shape& output = outputs[h];
    const Array& targets = *y[h];
    const Shape target = sample_shape_of(targets);
    if (head.loss->sparse_labels()) {
      // One class index per sample: the output's shape without its class axis, or with it as 1.
      const Shape labels = output.without_last_axis();
      const Shape labels_column = labels.with_axis_appended(1);
      STRATA_CHECK(target == labels.without_batch() || target == labels_column.without_batch(), ShapeError,
                   "Sparse labels for an output of shape ", output.to_string(),
                   " must hold one class index per sample: expected y of shape ", labels.to_string(), " or ",
                   labels_column.to_string(), ", received y of shape ", full_shape_of(targets).to_string());
      const auto classes = static_cast<float>(output[-1]);
      const float* data = targets.data();
      for (std::size_t i = 0; i < targets.size(); ++i) {
        const float label = data[i];
        if (!(label >= 0.f && label < classes && label == std::floor(label)))
          throw ValueError(detail::concat("Received a label value of ", label,
                                          " which is outside the valid range of [0, ", output[-1], ") (sample ",
                                          i / (targets.size() / samples_in(targets)), ")"));
      }
    } else {
      const Shape want = output.without_batch();
      const bool column_for_vector = want == Shape{1} && target == Shape{};
      if (target != want && !column_for_vector)
        throw ShapeError(
            detail::concat("Arguments `target` and `output` must have the same shape. Received: "
                           "target.shape=",
                           full_shape_of(targets).to_string(), ", output.shape=", output.to_string()));
    }
  }
}

void Trainer::collect_trainable() {
  // Keras freezes trainability when training starts: later set_trainable calls need a new fit.
  trainable_ = model_.trainable_weights();
}

void Trainer::reset_trackers() {
  for (auto& head : heads_) {
    if (head.loss) {
      reuse_or_allocate(head.tracker, *backend_, Shape{2});
      backend_->fill(head.tracker, 0.f);
    }
    for (auto& metric : head.metrics) metric->reset_state();
  }
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
                         std::int64_t count) {
  const auto inputs = model_.input_shapes();
  x_batches_.resize(inputs.size());
  x_staging_.resize(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Shape shape = inputs[i].with_batch(count);
    reuse_or_allocate(x_batches_[i], *backend_, shape);
    upload_rows((*data.x)[i]->data(), shape.sample_size(), data.begin, order, first, count, x_staging_[i],
                x_batches_[i]);
  }
  if (!data.y) return;
  const auto outputs = model_.output_shapes();
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    Head& head = heads_[h];
    if (!head.loss) continue;
    Shape target = outputs[h].with_batch(count);
    if (head.loss->sparse_labels()) target = target.without_last_axis();
    reuse_or_allocate(head.y_batch, *backend_, target);
    upload_rows((*data.y)[h]->data(), target.sample_size(), data.begin, order, first, count, head.staging,
                head.y_batch);
  }
}

void Trainer::train_step() {
  Backend& backend = *backend_;
  const std::span<const Tensor> outputs = model_.run_step(x_batches_, true);
  grads_.resize(heads_.size());
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    Head& head = heads_[h];
    const Tensor& y_pred = outputs[h];
    if (!head.loss) {
      grads_[h] = Tensor();
      continue;
    }
    reuse_or_allocate(head.values, backend, y_pred.shape().without_last_axis());
    reuse_or_allocate(head.grad, backend, y_pred.shape());
    head.loss->compute(head.y_batch, y_pred, head.values, &head.grad, head.tracker, head.weight);
    grads_[h] = head.grad;
    for (auto& metric : head.metrics) metric->update_state(head.y_batch, y_pred);
  }
  model_.run_backward(grads_);
  // A weight no loss reached this step has no gradient: it gets zero, so the optimizer never
  // applies a stale one (Keras skips such variables with a warning).
  const std::uint32_t step = model_.last_training_step();
  for (Variable* v : trainable_)
    if (v->grad_step != step) {
      backend.fill(v->grad, 0.f);
      v->grad_step = step;
    }
  model_.optimizer_->apply(trainable_);
}

void Trainer::test_step() {
  Backend& backend = *backend_;
  const std::span<const Tensor> outputs = model_.run_step(x_batches_, false);
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    Head& head = heads_[h];
    if (!head.loss) continue;
    reuse_or_allocate(head.values, backend, outputs[h].shape().without_last_axis());
    head.loss->compute(head.y_batch, outputs[h], head.values, nullptr, head.tracker);
    for (auto& metric : head.metrics) metric->update_state(head.y_batch, outputs[h]);
  }
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
  double total = 0.0;
  for (const Head& head : heads_) {
    if (head.loss) {
      float tracker[2];
      head.tracker.backend().download(head.tracker, tracker);
      const double value = tracker[1] > 0 ? double(tracker[0]) / double(tracker[1]) : 0.0;
      total += head.weight * value;
      if (heads_.size() > 1) set(head.loss_key, value);
    }
    for (std::size_t m = 0; m < head.metrics.size(); ++m) set(head.metric_keys[m], head.metrics[m]->result());
  }
  set("loss", total);
}

Logs Trainer::run_test_loop(const Samples& data, int batch_size, Progbar* bar) {
  reset_trackers();
  const std::int64_t steps = steps_for(data.size(), batch_size);
  Logs logs;
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t first = step * batch_size;
    load_batch(data, {}, first, std::min<std::int64_t>(batch_size, data.size() - first));
    test_step();
    // The trackers accumulate on the device; they are read only when a bar shows them.
    if (bar || step + 1 == steps) read_logs(logs);
    if (bar) bar->update(step + 1, logs, step + 1 == steps);
  }
  return logs;
}

namespace {

// Keras's fit checks the loss only with TerminateOnNaN; Strata always stops, so a dead model is
// never trained on silently. The check costs no device read of its own: it looks at the logs
// when they are read anyway (every step under a verbose=1 bar, else at the end of the epoch),
// and the loss tracker is a running sum, so a non-finite batch loss stays visible until then.
// The bar shows the `nan` first, as Keras's would.
void check_loss(const Logs& logs, int epoch, std::int64_t step, bool every_step, Progbar* bar) {
  const double loss = logs.at("loss");
  if (std::isfinite(loss)) return;
  if (bar) bar->update(step + 1, logs, true);
  // Batches count from 0, as in Keras's TerminateOnNaN message.
  const std::string where =
      every_step ? detail::concat("at epoch ", epoch + 1, ", batch ", step) : detail::concat("in epoch ", epoch + 1);
  throw ValueError(detail::concat("Invalid loss (", detail::format_log_value(loss), ") ", where,
                                  ": training stopped. Check the data for NaN or infinite values, or lower the "
                                  "learning rate."));
}

}  // namespace

History Trainer::fit(const Arrays& x, const Arrays& y, const FitOptions& options) {
  require_compiled();
  const int batch_size = batch_size_or_default(options.batch_size);
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  // Keras's check (data_adapter_utils.train_validation_split): both parts must keep a sample.
  // A split outside (0, 1) is refused before the product, whose cast would overflow.
  const bool split_in_range = options.validation_split > 0.0 && options.validation_split < 1.0;
  const std::int64_t split_at =
      split_in_range ? static_cast<std::int64_t>(std::floor(double(n) * (1.0 - options.validation_split))) : n;
  STRATA_CHECK(
      options.validation_data || options.validation_split == 0.0 || (split_in_range && split_at > 0 && split_at < n),
      ValueError, "Training data contains ", n,
      " samples, which is not sufficient to split it into a validation and training set as specified by "
      "`validation_split=",
      optimizers::detail::py_repr(options.validation_split),
      "`. Either provide more data, or a different value for the `validation_split` argument.");
  const Feed ys = bind_targets(y, n);
  Feed val_xs, val_ys;
  if (options.validation_data) {
    val_xs = bind_inputs(options.validation_data->first);
    val_ys = bind_targets(options.validation_data->second, samples_in(*val_xs[0]));
  }

  // Keras holds out the last fraction of the samples, before any shuffling.
  Samples train{&xs, &ys, 0, n};
  Samples validation;
  if (options.validation_data) {
    validation = Samples{&val_xs, &val_ys, 0, samples_in(*val_xs[0])};
  } else if (options.validation_split > 0.0) {
    train.end = split_at;
    validation = Samples{&xs, &ys, split_at, n};
  }

  collect_trainable();

  const std::int64_t steps = steps_for(train.size(), batch_size);
  History history;
  history.params = {{"verbose", options.verbose}, {"epochs", options.epochs}, {"steps", int(steps)}};
  model_.stop_training = false;

  std::vector<std::int64_t> order(static_cast<std::size_t>(train.size()));
  std::iota(order.begin(), order.end(), train.begin);
  const Samples all{&xs, &ys, 0, n};
  for (int epoch = options.initial_epoch; epoch < options.epochs && !model_.stop_training; ++epoch) {
    if (options.verbose && options.epochs > 1) std::cout << "Epoch " << epoch + 1 << '/' << options.epochs << '\n';
    if (options.shuffle) std::shuffle(order.begin(), order.end(), detail::global_rng());
    reset_trackers();
    Progbar bar(steps, options.verbose, std::cout);
    Logs logs;
    for (std::int64_t step = 0; step < steps; ++step) {
      const std::int64_t first = step * batch_size;
      load_batch(all, order, first, std::min<std::int64_t>(batch_size, train.size() - first));
      train_step();
      const bool every_step = options.verbose == 1;
      if (every_step || step + 1 == steps) {
        read_logs(logs);
        check_loss(logs, epoch, step, every_step, &bar);
      }
      if (every_step) bar.update(step + 1, logs, false);
    }
    if (validation.size() > 0) {
      run_test_loop(validation, batch_size, nullptr);
      read_logs(logs, "val_");
    }
    if (options.verbose) bar.update(steps, logs, true);
    for (const auto& [key, value] : logs) history.history[key].push_back(value);
    history.epoch.push_back(epoch);
  }
  return history;
}

Logs Trainer::evaluate(const Arrays& x, const Arrays& y, int batch_size, int verbose) {
  require_compiled();
  batch_size = batch_size_or_default(batch_size);
  const Feed xs = bind_inputs(x);
  const Feed ys = bind_targets(y, samples_in(*xs[0]));
  const Samples data{&xs, &ys, 0, samples_in(*xs[0])};
  Progbar bar(steps_for(data.size(), batch_size), verbose, std::cout);
  Logs logs = run_test_loop(data, batch_size, verbose ? &bar : nullptr);
  release_batch_buffers();
  return logs;
}

void Trainer::release_batch_buffers() {
  // fit allocates its own again at its first step (once, not per step).
  model_.release_inference_buffers();
  x_batches_.clear();
  x_staging_.clear();
  for (Head& head : heads_) {
    head.y_batch = head.values = head.grad = Tensor();
    head.staging = {};
  }
  grads_.clear();
}

std::vector<xt::xarray<float>> Trainer::predict(const Arrays& x, int batch_size, int verbose) {
  batch_size = batch_size_or_default(batch_size);
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  std::vector<xt::xarray<float>> results;
  std::vector<std::int64_t> rows;
  for (const Shape& output : model_.output_shapes()) {
    // The result for the whole of x lives in host memory: checked as a backend checks a tensor.
    const Shape shape = output.with_batch(n);
    const auto elements = static_cast<std::size_t>(shape.num_elements());
    STRATA_CHECK(elements <= backends::host_memory_limit() / sizeof(float), ResourceExhaustedError,
                 "predict cannot hold its result of shape ", shape.to_string(), " (", elements, " float32 values, ",
                 double(elements) * sizeof(float) / double(1 << 30), " GiB): more than this machine's memory");
    std::vector<std::size_t> dims(shape.dims().begin(), shape.dims().end());
    try {
      results.push_back(xt::xarray<float>::from_shape(dims));
    } catch (const std::bad_alloc&) {
      throw ResourceExhaustedError(detail::concat("predict cannot hold its result of shape ", shape.to_string(),
                                                  ": the allocator has no block of ", elements * sizeof(float),
                                                  " bytes free"));
    }
    rows.push_back(shape.sample_size());
  }
  const std::int64_t steps = steps_for(n, batch_size);
  const Samples data{&xs, nullptr, 0, n};
  Progbar bar(steps, verbose, std::cout);
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t first = step * batch_size;
    load_batch(data, {}, first, std::min<std::int64_t>(batch_size, n - first));
    const std::span<const Tensor> outputs = model_.run_step(x_batches_, false);
    for (std::size_t o = 0; o < outputs.size(); ++o)
      outputs[o].backend().download(outputs[o], results[o].data() + first * rows[o]);
    if (verbose) bar.update(step + 1, {}, step + 1 == steps);
  }
  release_batch_buffers();
  return results;
}

Logs Trainer::train_on_batch(const Arrays& x, const Arrays& y) {
  require_compiled();
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  const Feed ys = bind_targets(y, n);
  collect_trainable();
  reset_trackers();
  load_batch(Samples{&xs, &ys, 0, n}, {}, 0, n);
  train_step();
  Logs logs;
  read_logs(logs);
  check_loss(logs, 0, 0, true, nullptr);
  return logs;
}

Logs Trainer::test_on_batch(const Arrays& x, const Arrays& y) {
  require_compiled();
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  const Feed ys = bind_targets(y, n);
  reset_trackers();
  load_batch(Samples{&xs, &ys, 0, n}, {}, 0, n);
  test_step();
  Logs logs;
  read_logs(logs);
  return logs;
}

}  // namespace strata
