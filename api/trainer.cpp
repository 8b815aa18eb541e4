#include "api/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numeric>

#include <nlohmann/json.hpp>

#include "api/callbacks/callback_list.hpp"
#include "api/distributed/data_parallel.hpp"
#include "api/engine/tape.hpp"
#include "api/regularization.hpp"
#include "api/trainer_sources.hpp"
#include "backends/flush_subnormals.hpp"
#include "backends/host_memory.hpp"
#include "optimizers/config.hpp"
#include "strata/backend.hpp"
#include "strata/distributed.hpp"
#include "strata/error.hpp"
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

void Trainer::compile(LossSpec loss, MetricSpec metrics, LossWeights loss_weights, MetricSpec weighted_metrics) {
  loss_spec_ = std::move(loss);
  metric_spec_ = std::move(metrics);
  weighted_metric_spec_ = std::move(weighted_metrics);
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
    head.metric_weighted.push_back(false);
  };
  // Keras's CompileMetrics naming for weighted metrics: the plain name when free, else
  // "weighted_<name>", then "_1", "_2" ... when that is taken too.
  const auto add_weighted_metric = [&](Head& head, const std::shared_ptr<Metric>& metric) {
    const std::string prefix = several ? head.name + "_" : "";
    const auto taken = [&](const std::string& key) {
      if (key == "loss") return true;
      for (const auto& other : heads_)
        if (std::find(other.metric_keys.begin(), other.metric_keys.end(), key) != other.metric_keys.end()) return true;
      return false;
    };
    std::string key = prefix + metric->name();
    if (taken(key)) {
      const std::string base = prefix + "weighted_" + metric->name();
      key = base;
      for (int index = 1; taken(key); ++index) key = base + "_" + std::to_string(index);
    }
    head.metrics.push_back(metric);
    head.metric_keys.push_back(key);
    head.metric_weighted.push_back(true);
  };
  const auto add_all = [&](const MetricSpec& spec, const char* dict, auto add) {
    if (!spec.by_name().empty()) {
      for (const auto& [key, list] : spec.by_name()) {
        Head& head = head_named(key, dict);
        for (const auto& metric : list) add(head, metric.get());
      }
    } else {
      for (std::size_t i = 0; i < heads_.size(); ++i)
        for (const auto& metric : spec.all())
          // Each output keeps its own running state: later outputs get a fresh metric of the same name.
          add(heads_[i], i == 0 ? metric.get() : Metric::from_name(metric->name()));
    }
  };
  add_all(metric_spec_, "metrics", add_metric);
  add_all(weighted_metric_spec_, "weighted_metrics", add_weighted_metric);
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

Trainer::Trainer(Model& model) : model_(model) {}
Trainer::~Trainer() = default;

void Trainer::collect_trainable() {
  // Keras freezes trainability when training starts: later set_trainable calls need a new fit.
  trainable_ = model_.trainable_weights();
  penalties_ = std::make_unique<detail::Penalties>(model_);
}

void Trainer::reset_trackers() {
  if (penalties_ && !penalties_->empty()) {
    reuse_or_allocate(penalty_tracker_, *backend_, Shape{2});
    backend_->fill(penalty_tracker_, 0.f);
  }
  for (auto& head : heads_) {
    if (head.loss) {
      reuse_or_allocate(head.tracker, *backend_, Shape{2});
      backend_->fill(head.tracker, 0.f);
    }
    for (auto& metric : head.metrics) metric->reset_state();
  }
}

std::vector<std::pair<std::string, std::shared_ptr<Metric>>> Trainer::metrics() const {
  std::vector<std::pair<std::string, std::shared_ptr<Metric>>> out;
  for (const Head& head : heads_)
    for (std::size_t m = 0; m < head.metrics.size(); ++m) out.emplace_back(head.metric_keys[m], head.metrics[m]);
  return out;
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

// Uploads an int32 input's rows as upload_rows does, converting each float to the integer it
// holds. A value that is not a whole number in int32's range is refused by name rather than
// truncated (where Keras's Embedding would truncate it): an index is never a fraction.
void upload_index_rows(const float* all, std::int64_t row, std::int64_t begin, const std::vector<std::int64_t>& order,
                       std::int64_t first, std::int64_t count, const Model& model, std::size_t input,
                       std::vector<std::int32_t>& staging, Tensor& batch) {
  staging.resize(static_cast<std::size_t>(count * row));
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t sample = order.empty() ? begin + first + i : order[first + i];
    const float* from = all + sample * row;
    for (std::int64_t j = 0; j < row; ++j) {
      const float v = from[j];
      STRATA_CHECK(v == std::trunc(v) && v >= -2147483648.f && v < 2147483648.f, ValueError, "Input '",
                   model.input_names()[input], "' takes int32 values, but sample ", sample, " holds ", v,
                   " at position ", j,
                   ": integer inputs (indices for an Embedding) must be whole numbers within int32's range.");
      staging[static_cast<std::size_t>(i * row + j)] = static_cast<std::int32_t>(v);
    }
  }
  batch.backend().upload(staging.data(), batch);
}

// Keras's class_weight_to_sample_weights: a sample's class is its label (rounded), the argmax
// of a one-hot row, or the single column's value; classes not in the map weigh 1.
xt::xarray<float> class_weights_to_sample_weights(const xt::xarray<float>& y, const std::map<int, double>& weights) {
  const std::int64_t n = samples_in(y);
  xt::xarray<float> out = xt::ones<float>({static_cast<std::size_t>(n)});
  const std::int64_t row = n == 0 ? 0 : static_cast<std::int64_t>(y.size()) / n;
  for (std::int64_t i = 0; i < n; ++i) {
    const float* r = y.data() + i * row;
    const std::int64_t label =
        row > 1 ? std::max_element(r, r + row) - r : static_cast<std::int64_t>(std::nearbyint(double(r[0])));
    if (auto it = weights.find(static_cast<int>(label)); it != weights.end()) out(i) = static_cast<float>(it->second);
  }
  return out;
}

void check_sample_weights(const xt::xarray<float>& weights, std::int64_t samples, const char* what) {
  STRATA_CHECK(weights.dimension() == 1 && samples_in(weights) == samples, ValueError, what,
               " must hold one weight per sample: expected shape (", samples, "), received ",
               full_shape_of(weights).to_string());
}

}  // namespace

void detail::warn_ran_out_of_data() {
  if (!writes_here()) return;
  std::cerr << "WARNING: Your input ran out of data; interrupting training. Make sure that your dataset or generator "
               "can generate at least `steps_per_epoch * epochs` batches.\n";
}

// ---- batches ----------------------------------------------------------------------------------

void Trainer::load_rows(const Feed& x, const Feed* y, const Array* weights, std::int64_t begin,
                        const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count) {
  batch_fraction_ = 1.0;
  batch_empty_ = false;
  if (dp_) {
    // Each rank uploads only its share of the global batch.
    const auto [lo, hi] = dp_->share(first, count);
    batch_fraction_ = count > 0 ? double(hi - lo) / double(count) : 0.0;
    batch_empty_ = hi == lo;
    if (batch_empty_) return;
    first = lo;
    count = hi - lo;
  }
  const auto inputs = model_.input_shapes();
  const auto dtypes = model_.input_dtypes();
  x_batches_.resize(inputs.size());
  x_staging_.resize(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Shape shape = inputs[i].with_batch(count);
    reuse_or_allocate(x_batches_[i], *backend_, shape, dtypes[i]);
    if (dtypes[i] == DType::I32)
      upload_index_rows(x[i]->data(), shape.sample_size(), begin, order, first, count, model_, i, index_staging_,
                        x_batches_[i]);
    else
      upload_rows(x[i]->data(), shape.sample_size(), begin, order, first, count, x_staging_[i], x_batches_[i]);
  }
  batch_weighted_ = weights != nullptr;
  if (weights) {
    reuse_or_allocate(weight_batch_, *backend_, Shape{count});
    upload_rows(weights->data(), 1, begin, order, first, count, weight_staging_, weight_batch_);
  }
  if (!y) return;
  const auto outputs = model_.output_shapes();
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    Head& head = heads_[h];
    if (!head.loss) continue;
    Shape target = outputs[h].with_batch(count);
    if (head.loss->sparse_labels()) target = target.without_last_axis();
    reuse_or_allocate(head.y_batch, *backend_, target);
    upload_rows((*y)[h]->data(), target.sample_size(), begin, order, first, count, head.staging, head.y_batch);
  }
}

void Trainer::load_batch(const Batch& batch, bool with_targets, const std::map<int, double>& class_weight) {
  const Feed x = bind_inputs(Arrays(batch.x));
  const std::int64_t n = samples_in(*x[0]);
  Feed y;
  if (with_targets) {
    STRATA_CHECK(!batch.y.empty(), ValueError,
                 "A batch for training or evaluation needs targets (Batch::y), but batch "
                 "had none");
    y = bind_targets(Arrays(batch.y), n);
  }
  Array weights;
  const Array* w = nullptr;
  if (batch.sample_weight.dimension() > 0) {
    STRATA_CHECK(class_weight.empty(), ValueError, "You cannot `class_weight` and `sample_weight` at the same time.");
    check_sample_weights(batch.sample_weight, n, "A batch's sample_weight");
    w = &batch.sample_weight;
  } else if (!class_weight.empty() && with_targets) {
    weights = class_weights_to_sample_weights(*y[0], class_weight);
    w = &weights;
  }
  load_rows(x, with_targets ? &y : nullptr, w, 0, {}, 0, n);
}

namespace {

// Keras computes losses and metrics in float32: a model output in another floating dtype (a
// mixed_bfloat16 model's) is widened into `staging` first, exactly.
const Tensor& in_float32(const Tensor& y, Tensor& staging) {
  if (y.dtype() == DType::F32) return y;
  reuse_or_allocate(staging, y.backend(), y.shape(), DType::F32);
  y.backend().cast(y, staging);
  return staging;
}

}  // namespace

void Trainer::train_step() {
  compute_gradients();
  zero_missing_gradients(true);
  apply_gradients();
}

void Trainer::compute_gradients() {
  Backend& backend = *backend_;
  const std::span<const Tensor> outputs = model_.run_step(x_batches_, true);
  const Tensor* weights = batch_weighted_ ? &weight_batch_ : nullptr;
  grads_.resize(heads_.size());
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    Head& head = heads_[h];
    if (!head.loss) {
      grads_[h] = Tensor();
      continue;
    }
    score(head, outputs[h], weights, true);
    grads_[h] = head.grad;
    if (outputs[h].dtype() != DType::F32) {  // the gradient enters backward in the output's dtype
      reuse_or_allocate(head.grad_out, backend, head.grad.shape(), outputs[h].dtype());
      backend.cast(head.grad, head.grad_out);
      grads_[h] = head.grad_out;
    }
  }
  model_.run_backward(grads_);
}

void Trainer::score(Head& head, const Tensor& output, const Tensor* weights, bool training) {
  Backend& backend = *backend_;
  const Tensor& y_pred = in_float32(output, head.pred_f32);
  reuse_or_allocate(head.values, backend, y_pred.shape().without_last_axis());
  if (training) reuse_or_allocate(head.grad, backend, y_pred.shape());
  Tensor y_true = head.y_batch, pred = y_pred, values = head.values, grad = head.grad;
  const Tensor* loss_weights = weights;
  const Tensor* metric_weights = weights;
  const Tensor* unweighted_metric_weights = nullptr;
  if (const auto& mask = output.mask()) {
    // Keras's apply_mask: every step of a masked output is a sample of its own. The loss weighs
    // a kept step total / kept (so its mean is over the kept steps) and a masked one 0, times
    // the sample's weight; the metrics weigh kept steps 1 (times the sample's weight where the
    // metric is weighted).
    const Shape steps = y_pred.shape().without_last_axis();
    STRATA_CHECK(mask->shape() == steps, ValueError, "The model's output '", head.name, "' carries a mask of shape ",
                 mask->shape().to_string(), " for an output of shape ", y_pred.shape().to_string(),
                 "; a mask covers the output's shape without its last axis");
    const std::int64_t rows = steps.num_elements(), batch = steps[0];
    const Shape per_sample = Shape{batch}.with_axis_appended(rows / batch);
    const Tensor kept = mask->reshaped(per_sample);
    reuse_or_allocate(head.mask_kept, backend, Shape{1, 1});
    backend.reduce(ReduceOp::Sum, kept, head.mask_kept);
    reuse_or_allocate(head.mask_one, backend, Shape{1, 1});
    backend.fill(head.mask_one, 1.f);
    backend.binary(BinaryOp::Maximum, head.mask_kept, head.mask_one, head.mask_kept);  // no kept step: 0 / 1
    reuse_or_allocate(head.mask_loss_weights, backend, per_sample);
    backend.binary(BinaryOp::Divide, kept, head.mask_kept, head.mask_loss_weights);
    backend.scale(head.mask_loss_weights, static_cast<float>(rows));
    if (weights) {
      const Tensor by_sample = weights->reshaped({batch, 1});
      backend.binary(BinaryOp::Multiply, head.mask_loss_weights, by_sample, head.mask_loss_weights);
      reuse_or_allocate(head.mask_metric_weights, backend, per_sample);
      backend.binary(BinaryOp::Multiply, kept, by_sample, head.mask_metric_weights);
      metric_weights = &head.mask_metric_weights;
    }
    loss_weights = &head.mask_loss_weights;
    unweighted_metric_weights = mask.get();
    if (!weights) metric_weights = unweighted_metric_weights;
    // The steps as samples: (batch, steps, ...) seen as (batch * steps, ...).
    const auto as_rows = [&](const Tensor& t, const Shape& like) {
      std::vector<std::int64_t> dims{rows};
      for (std::size_t axis = steps.rank(); axis < like.rank(); ++axis) dims.push_back(like[std::int64_t(axis)]);
      return t.reshaped(Shape(dims));
    };
    y_true = as_rows(head.y_batch, head.y_batch.shape());
    pred = as_rows(y_pred, y_pred.shape());
    values = head.values.reshaped({rows});
    if (training) grad = as_rows(head.grad, head.grad.shape());
  }
  head.loss->compute(y_true, pred, values, training ? &grad : nullptr, head.tracker, training ? head.weight : 1.0,
                     loss_weights);
  for (std::size_t m = 0; m < head.metrics.size(); ++m)
    head.metrics[m]->update_state(y_true, pred, head.metric_weighted[m] ? metric_weights : unweighted_metric_weights);
}

void Trainer::zero_missing_gradients(bool computed) {
  // A weight no loss reached this step has no gradient: it gets zero, so the optimizer never
  // applies a stale one (Keras skips such variables with a warning).
  const std::uint32_t step = model_.last_training_step();
  for (Variable* v : trainable_)
    if (!computed || v->grad_step != step) {
      backend_->fill(v->grad, 0.f);
      v->grad_step = step;
    }
}

void Trainer::apply_gradients() {
  // Keras's compute_loss adds the model's losses (weight and activity penalties) to the loss
  // it differentiates and logs; its optimizer projects constrained weights after the update.
  if (!penalties_->empty()) penalties_->after_step(true, batch_empty_ ? 0 : x_batches_[0].shape()[0], penalty_tracker_);
  model_.optimizer_->apply(trainable_);
  detail::apply_constraints(trainable_);
}

template <class Work>
void Trainer::guarded(Work&& work) {
  if (dp_)
    dp_->guard(std::forward<Work>(work));
  else
    work();
}

std::optional<bool> Trainer::distributed_train_batch(Source& source, std::int64_t step, std::int64_t steps,
                                                     detail::CallbackList& callbacks) {
  detail::DataParallel& dp = *dp_;
  bool loaded = false, want = false;
  batch_empty_ = false;
  dp.guard([&] {
    loaded = source.load(step);
    if (!loaded) return;
    callbacks.on_batch_begin(CallbackMode::Train, int(step), Logs{});
    // Asked before the step, not after it: every rank must know whether the logs are summed.
    want = callbacks.wants_batch_logs(CallbackMode::Train, int(step), step + 1 == steps);
  });
  if (dp.layers_communicate()) {
    // Layers that sum across ranks inside the step need every rank in it, each with rows: a
    // failure, a dry source or an empty share stops everyone before the step.
    const auto before = dp.agree({.out_of_data = !loaded, .empty_share = loaded && batch_empty_}, "a batch's start");
    if (before.out_of_data) return std::nullopt;
    STRATA_CHECK(!before.empty_share, ValueError,
                 "synchronized BatchNormalization needs a sample of every batch on "
                 "each of the ",
                 distributed::size(), " processes, but batch ", step,
                 " holds fewer samples than that: "
                 "choose a number of samples whose last batch is empty or holds at least one sample per process");
  }
  dp.begin_step(loaded ? batch_fraction_ : 0.0);
  bool computed = false;
  if (loaded && !batch_empty_)
    dp.guard([&] {
      compute_gradients();
      computed = true;
    });
  zero_missing_gradients(computed);
  const detail::DataParallel::Flags flags = dp.finish_step({.want_logs = want, .out_of_data = !loaded});
  if (flags.out_of_data) return std::nullopt;
  apply_gradients();
  return flags.want_logs;
}

void Trainer::test_step() {
  if (batch_empty_) return;  // this rank's share of a short last batch is empty
  const std::span<const Tensor> outputs = model_.run_step(x_batches_, false);
  const Tensor* weights = batch_weighted_ ? &weight_batch_ : nullptr;
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    Head& head = heads_[h];
    if (!head.loss) continue;
    score(head, outputs[h], weights, false);
  }
  if (penalties_ && !penalties_->empty()) penalties_->after_step(false, x_batches_[0].shape()[0], penalty_tracker_);
}

void Trainer::read_logs(Logs& logs, const std::string& prefix) {
  if (!dp_) {
    read_local_logs(logs, prefix);
    return;
  }
  // Every state is a sum (of losses times samples, of counts): the global figures are the
  // sums over the ranks.
  std::vector<Tensor> states;
  for (const Head& head : heads_) {
    if (head.loss) states.push_back(head.tracker);
    for (const auto& metric : head.metrics)
      for (const Tensor& t : metric->state_tensors()) states.push_back(t);
  }
  if (penalties_ && !penalties_->empty()) states.push_back(penalty_tracker_);
  dp_->with_global_states(states, [&] { read_local_logs(logs, prefix); });
}

void Trainer::read_local_logs(Logs& logs, const std::string& prefix) const {
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
    for (std::size_t m = 0; m < head.metrics.size(); ++m) {
      const Metric& metric = *head.metrics[m];
      if (metric.scalar_result()) {
        set(head.metric_keys[m], metric.result());
        continue;
      }
      // A metric with one value per class (F1Score without averaging): Keras's logs hold the
      // array and its bar shows the mean; Strata's logs hold numbers, so each value gets its own
      // key ("f1_score_0", ...) and the plain key the mean, as the bar shows it.
      const std::vector<double> values = metric.results();
      double sum = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        set(head.metric_keys[m] + "_" + std::to_string(i), values[i]);
        sum += values[i];
      }
      set(head.metric_keys[m], values.empty() ? 0.0 : sum / double(values.size()));
    }
  }
  if (penalties_ && !penalties_->empty()) {
    float tracker[2];
    penalty_tracker_.backend().download(penalty_tracker_, tracker);
    if (tracker[1] > 0) total += double(tracker[0]) / double(tracker[1]);
  }
  set("loss", total);
}

// ---- loops ------------------------------------------------------------------------------------

Logs Trainer::run_test_loop(Source& source, detail::CallbackList& callbacks) {
  reset_trackers();
  Logs logs;
  guarded([&] { callbacks.on_test_begin(logs); });
  const std::int64_t steps = source.steps();
  guarded([&] { source.begin_epoch(); });
  const Logs no_logs;
  for (std::int64_t step = 0; steps == 0 || step < steps; ++step) {
    bool loaded = false, want = false;
    guarded([&] {
      loaded = source.load(step);
      if (!loaded) return;
      callbacks.on_batch_begin(CallbackMode::Test, int(step), no_logs);
      test_step();
      want = callbacks.wants_batch_logs(CallbackMode::Test, int(step), step + 1 == steps);
    });
    if (dp_) {
      // Every rank reads the logs (a sum over ranks) when any rank's callbacks want them.
      const auto flags = dp_->agree({.want_logs = want, .out_of_data = !loaded}, "a test batch");
      loaded = !flags.out_of_data;
      want = flags.want_logs;
    }
    if (!loaded) break;
    // The trackers accumulate on the device; they are read only when a callback shows them.
    if (want) read_logs(logs);
    guarded([&] { callbacks.on_batch_end(CallbackMode::Test, int(step), logs); });
  }
  guarded([&] { source.end_epoch(); });
  if (dp_) dp_->agree({}, "the end of a test loop");
  read_logs(logs);
  guarded([&] { callbacks.on_test_end(logs); });
  return logs;
}

// Makes the loops of one fit or evaluate data-parallel when this process trains with others
// (predict: never), and puts back what was there when they return or throw: a callback may
// call evaluate or predict in the middle of a data-parallel fit.
class Trainer::DistributedScope {
 public:
  DistributedScope(Trainer& trainer, bool split_batches)
      : trainer_(trainer), outer_(std::move(trainer.dp_)), outer_empty_(trainer.batch_empty_) {
    trainer_.dp_ = split_batches ? detail::make_data_parallel() : nullptr;
    trainer_.model_.train_tape_->set_observer(trainer_.dp_.get());
  }
  ~DistributedScope() {
    trainer_.dp_ = std::move(outer_);
    trainer_.batch_empty_ = outer_empty_;
    trainer_.model_.train_tape_->set_observer(trainer_.dp_.get());
  }
  DistributedScope(const DistributedScope&) = delete;
  DistributedScope& operator=(const DistributedScope&) = delete;

 private:
  Trainer& trainer_;
  std::unique_ptr<detail::DataParallel> outer_;
  bool outer_empty_;
};

History Trainer::run_fit(Source& train, Source* validation, const FitOptions& options) {
  STRATA_CHECK(options.validation_freq >= 1, ValueError, "validation_freq must be a positive integer, received ",
               options.validation_freq);
  const DistributedScope distributed(*this, true);
  const backends::FlushSubnormals flush;  // see flush_subnormals.hpp
  collect_trainable();
  if (dp_) dp_->prepare(model_, trainable_);
  const std::int64_t steps = train.steps();
  History history;
  history.params = {{"verbose", options.verbose}, {"epochs", options.epochs}, {"steps", int(steps)}};
  detail::CallbackList callbacks(options.callbacks, model_, {options.verbose, options.epochs, steps});
  model_.stop_training = false;
  model_.resume_epoch_.reset();
  Logs epoch_logs;
  guarded([&] { callbacks.on_train_begin(epoch_logs); });
  // Every rank starts from rank 0's weights, optimizer, shuffles and resume point.
  if (dp_) dp_->synchronize(model_, trainable_, steps, model_.resume_epoch_);
  // A callback restoring a backup moves the start (Keras's `self._initial_epoch or initial_epoch`).
  const int first_epoch = model_.resume_epoch_.value_or(options.initial_epoch);
  model_.resume_epoch_.reset();
  const Logs no_logs;
  for (int epoch = first_epoch; epoch < options.epochs; ++epoch) {
    reset_trackers();
    guarded([&] {
      Logs begin_logs;
      callbacks.on_epoch_begin(epoch, begin_logs);
      train.begin_epoch();
    });
    Logs batch_logs;
    std::int64_t done = 0;
    for (std::int64_t step = 0; steps == 0 || step < steps; ++step) {
      bool want = false;
      if (dp_) {
        const std::optional<bool> read = distributed_train_batch(train, step, steps, callbacks);
        if (!read) break;
        want = *read;
      } else {
        if (!train.load(step)) break;
        callbacks.on_batch_begin(CallbackMode::Train, int(step), no_logs);
        train_step();
        want = callbacks.wants_batch_logs(CallbackMode::Train, int(step), step + 1 == steps);
      }
      ++done;
      if (want) read_logs(batch_logs);
      guarded([&] { callbacks.on_batch_end(CallbackMode::Train, int(step), batch_logs); });
      // A callback on any rank may stop training: all ranks stop after the same batch.
      if (dp_) model_.stop_training = dp_->agree({.stop = model_.stop_training}, "the end of a batch").stop;
      if (model_.stop_training) break;
    }
    guarded([&] { train.end_epoch(); });
    if (done == 0) {
      // A generator that is dry has nothing more to train on (Keras warns and stops too).
      detail::warn_ran_out_of_data();
      break;
    }
    epoch_logs.clear();
    read_logs(epoch_logs);
    if (validation && (epoch + 1) % options.validation_freq == 0) {
      const Logs val = run_test_loop(*validation, callbacks);
      for (const auto& [key, value] : val) epoch_logs["val_" + key] = value;
    }
    guarded([&] { callbacks.on_epoch_end(epoch, epoch_logs); });
    if (dp_) model_.stop_training = dp_->agree({.stop = model_.stop_training}, "the end of an epoch").stop;
    for (const auto& [key, value] : epoch_logs) history.history[key].push_back(value);
    history.epoch.push_back(epoch);
    if (model_.stop_training) break;
  }
  // Keras's fit ends by putting an optimizer's moving averages into the weights (use_ema).
  if (model_.optimizer_->built()) model_.optimizer_->finalize_variable_values(trainable_);
  guarded([&] { callbacks.on_train_end(epoch_logs); });
  if (dp_) dp_->agree({}, "the end of training");
  return history;
}

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
  const bool validation_given = options.validation_data || options.validation_dataset;
  STRATA_CHECK(validation_given || options.validation_split == 0.0 || (split_in_range && split_at > 0 && split_at < n),
               ValueError, "Training data contains ", n,
               " samples, which is not sufficient to split it into a validation and training set as specified by "
               "`validation_split=",
               optimizers::detail::py_repr(options.validation_split),
               "`. Either provide more data, or a different value for the `validation_split` argument.");
  const Feed ys = bind_targets(y, n);

  // Sample weights: given, or made from class_weight (training only, one output, as Keras).
  STRATA_CHECK(!(options.sample_weight && !options.class_weight.empty()), ValueError,
               "You cannot `class_weight` and `sample_weight` at the same time.");
  std::optional<Array> weights;
  if (options.sample_weight) {
    check_sample_weights(*options.sample_weight, n, "sample_weight");
    weights = *options.sample_weight;
  } else if (!options.class_weight.empty()) {
    STRATA_CHECK(heads_.size() == 1, ValueError, "`class_weight` is only supported for Models with a single output.");
    weights = class_weights_to_sample_weights(*ys[0], options.class_weight);
  }

  // Keras holds out the last fraction of the samples, before any shuffling; with
  // shuffle_before_split a seeded random fraction instead.
  std::vector<std::int64_t> train_rows, val_rows;
  std::int64_t train_end = n;
  const bool split = !validation_given && options.validation_split > 0.0;
  if (split) {
    train_end = split_at;
    if (options.shuffle_before_split) {
      std::vector<std::int64_t> all(static_cast<std::size_t>(n));
      std::iota(all.begin(), all.end(), 0);
      std::shuffle(all.begin(), all.end(), detail::global_rng());
      train_rows.assign(all.begin(), all.begin() + split_at);
      val_rows.assign(all.begin() + split_at, all.end());
      std::sort(val_rows.begin(), val_rows.end());
    }
  }
  // The validation split's samples keep their sample weights, not the class weights (Keras
  // splits (x, y, sample_weight) before class_weight applies).
  const Array* split_val_weights = options.sample_weight ? &*weights : nullptr;
  const int ranks = distributed::size();
  if (ranks > 1) {
    STRATA_CHECK(batch_size % ranks == 0, ValueError, "batch_size=", batch_size, " is the global batch of the ", ranks,
                 " processes training together, so it must divide by ", ranks, " (each takes batch_size / ", ranks,
                 " samples of every batch)");
    STRATA_CHECK(train_end >= ranks && n - train_end >= (split ? ranks : 0), ValueError, "Training data has ",
                 train_end, " samples", split ? detail::concat(" and validation data ", n - train_end) : "",
                 ": each of the ", ranks, " processes training together needs at least one");
  }
  ArraySource train(*this, xs, &ys, weights ? &*weights : nullptr, 0, train_end, std::move(train_rows), batch_size,
                    options.shuffle, options.steps_per_epoch);
  BoundArrays given;
  std::unique_ptr<Source> validation = given_validation(options, batch_size, given);
  if (!validation && split)
    validation = std::make_unique<ArraySource>(
        *this, xs, &ys, split_val_weights, split_at, n, std::move(val_rows),
        batch_size_or_default(options.validation_batch_size.value_or(batch_size)), false, options.validation_steps);
  return run_fit(train, validation.get(), options);
}

std::unique_ptr<Trainer::Source> Trainer::given_validation(const FitOptions& options, int batch_size,
                                                           BoundArrays& arrays) {
  if (options.validation_dataset)
    return std::make_unique<DatasetSource>(*this, *options.validation_dataset, false, true, std::map<int, double>{},
                                           options.validation_steps);
  if (!options.validation_data) return nullptr;
  arrays.x = bind_inputs(options.validation_data->first);
  const std::int64_t n = samples_in(*arrays.x[0]);
  arrays.y = bind_targets(options.validation_data->second, n);
  const Array* weights = options.validation_sample_weight ? &*options.validation_sample_weight : nullptr;
  if (weights) check_sample_weights(*weights, n, "validation_sample_weight");
  return std::make_unique<ArraySource>(*this, arrays.x, &arrays.y, weights, 0, n, std::vector<std::int64_t>{},
                                       batch_size_or_default(options.validation_batch_size.value_or(batch_size)), false,
                                       options.validation_steps);
}

History Trainer::fit(PyDataset& data, const FitOptions& options) {
  require_compiled();
  STRATA_CHECK(options.validation_split == 0.0, ValueError,
               "`validation_split` is only supported for Tensors or NumPy arrays, not for a PyDataset: pass "
               "validation_data or validation_dataset.");
  STRATA_CHECK(!options.sample_weight, ValueError,
               "`sample_weight` argument is not supported when using a PyDataset: return the weights in each Batch.");
  STRATA_CHECK(data.size() > 0, ValueError, "The PyDataset has no batches (size() is 0)");
  // Build from (and check against) the first batch, as Keras's symbolic build does.
  load_batch(data.get(0), true, options.class_weight);
  DatasetSource train(*this, data, options.shuffle, true, options.class_weight, options.steps_per_epoch);
  BoundArrays given;
  const std::unique_ptr<Source> validation = given_validation(options, options.batch_size, given);
  return run_fit(train, validation.get(), options);
}

History Trainer::fit(const BatchGenerator& data, const FitOptions& options) {
  require_compiled();
  STRATA_CHECK(static_cast<bool>(data), ValueError, "fit received an empty generator function");
  STRATA_CHECK(options.validation_split == 0.0, ValueError,
               "`validation_split` is only supported for Tensors or NumPy arrays, not for a generator.");
  STRATA_CHECK(!options.steps_per_epoch || *options.steps_per_epoch > 0, ValueError,
               "steps_per_epoch must be positive, received ", *options.steps_per_epoch);
  GeneratorSource train(*this, data, options.steps_per_epoch, options.class_weight);
  const Batch* first = train.peek();
  STRATA_CHECK(first != nullptr, ValueError, "The generator yielded no batch");
  bind_inputs(Arrays(first->x));
  BoundArrays given;
  const std::unique_ptr<Source> validation = given_validation(options, options.batch_size, given);
  return run_fit(train, validation.get(), options);
}

Logs Trainer::run_evaluate(Source& source, const EvaluateOptions& options) {
  penalties_ = std::make_unique<detail::Penalties>(model_);  // Keras's evaluate logs them too
  const DistributedScope distributed(*this, true);
  const backends::FlushSubnormals flush;
  detail::CallbackList callbacks(options.callbacks, model_, {options.verbose, 1, source.steps()});
  Logs logs = run_test_loop(source, callbacks);
  release_batch_buffers();
  return logs;
}

Logs Trainer::evaluate(const Arrays& x, const Arrays& y, const EvaluateOptions& options) {
  require_compiled();
  const int batch_size = batch_size_or_default(options.batch_size);
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  const Feed ys = bind_targets(y, n);
  if (options.sample_weight) check_sample_weights(*options.sample_weight, n, "sample_weight");
  ArraySource source(*this, xs, &ys, options.sample_weight ? &*options.sample_weight : nullptr, 0, n, {}, batch_size,
                     false, options.steps);
  return run_evaluate(source, options);
}

Logs Trainer::evaluate(PyDataset& data, const EvaluateOptions& options) {
  require_compiled();
  STRATA_CHECK(!options.sample_weight, ValueError,
               "`sample_weight` argument is not supported when using a PyDataset: return the weights in each Batch.");
  STRATA_CHECK(data.size() > 0, ValueError, "The PyDataset has no batches (size() is 0)");
  load_batch(data.get(0), true, {});
  DatasetSource source(*this, data, false, true, {}, options.steps);
  return run_evaluate(source, options);
}

void Trainer::release_batch_buffers() {
  // fit allocates its own again at its first step (once, not per step).
  model_.release_inference_buffers();
  x_batches_.clear();
  x_staging_.clear();
  index_staging_ = {};
  weight_batch_ = Tensor();
  weight_staging_ = {};
  for (Head& head : heads_) {
    head.y_batch = head.values = head.grad = head.pred_f32 = head.grad_out = Tensor();
    head.staging = {};
  }
  grads_.clear();
}

std::vector<xt::xarray<float>> Trainer::run_predict(Source& source, const PredictOptions& options) {
  // predict runs whole on every rank (the weights are the same).
  const DistributedScope whole(*this, false);
  const backends::FlushSubnormals flush;
  detail::CallbackList callbacks(options.callbacks, model_, {options.verbose, 1, source.steps()});
  // Each output's rows, appended batch by batch (checked as a backend checks a tensor).
  std::vector<std::vector<float>> rows(model_.output_shapes().size());
  std::vector<Tensor> widened(rows.size());  // bf16 outputs widened to the float32 rows
  std::int64_t samples = 0;
  Logs logs;
  callbacks.on_predict_begin(logs);
  const std::int64_t steps = source.steps();
  source.begin_epoch();
  for (std::int64_t step = 0; steps == 0 || step < steps; ++step) {
    if (!source.load(step)) break;
    callbacks.on_batch_begin(CallbackMode::Predict, int(step), logs);
    const std::span<const Tensor> outputs = model_.run_step(x_batches_, false);
    for (std::size_t o = 0; o < outputs.size(); ++o) {
      const std::size_t old = rows[o].size();
      const auto added = static_cast<std::size_t>(outputs[o].size());
      STRATA_CHECK(old + added <= backends::host_memory_limit() / sizeof(float), ResourceExhaustedError,
                   "predict cannot hold its result: more than this machine's memory after ", samples, " samples");
      rows[o].resize(old + added);
      const Tensor& output = in_float32(outputs[o], widened[o]);
      output.backend().download(output, rows[o].data() + old);
    }
    samples += outputs.empty() ? 0 : outputs[0].shape()[0];
    callbacks.on_batch_end(CallbackMode::Predict, int(step), logs);
  }
  source.end_epoch();
  callbacks.on_predict_end(logs);
  release_batch_buffers();
  std::vector<xt::xarray<float>> results;
  const auto shapes = model_.output_shapes();
  for (std::size_t o = 0; o < rows.size(); ++o) {
    const Shape shape = shapes[o].with_batch(samples);
    std::vector<std::size_t> dims(shape.dims().begin(), shape.dims().end());
    results.push_back(xt::xarray<float>::from_shape(dims));
    std::copy(rows[o].begin(), rows[o].end(), results.back().data());
  }
  return results;
}

std::vector<xt::xarray<float>> Trainer::predict(const Arrays& x, const PredictOptions& options) {
  const int batch_size = batch_size_or_default(options.batch_size);
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  for (const Shape& output : model_.output_shapes()) {
    // The result for the whole of x lives in host memory: checked before the first batch.
    const Shape shape = output.with_batch(n);
    const auto elements = static_cast<std::size_t>(shape.num_elements());
    STRATA_CHECK(elements <= backends::host_memory_limit() / sizeof(float), ResourceExhaustedError,
                 "predict cannot hold its result of shape ", shape.to_string(), " (", elements, " float32 values, ",
                 double(elements) * sizeof(float) / double(1 << 30), " GiB): more than this machine's memory");
  }
  ArraySource source(*this, xs, nullptr, nullptr, 0, n, {}, batch_size, false, options.steps);
  return run_predict(source, options);
}

std::vector<xt::xarray<float>> Trainer::predict(PyDataset& data, const PredictOptions& options) {
  STRATA_CHECK(data.size() > 0, ValueError, "The PyDataset has no batches (size() is 0)");
  bind_inputs(Arrays(data.get(0).x));
  DatasetSource source(*this, data, false, false, {}, options.steps);
  return run_predict(source, options);
}

Logs Trainer::train_on_batch(const Arrays& x, const Arrays& y) {
  require_compiled();
  const DistributedScope whole(*this, false);  // the whole batch, on every rank
  const backends::FlushSubnormals flush;
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  const Feed ys = bind_targets(y, n);
  collect_trainable();
  reset_trackers();
  load_rows(xs, &ys, nullptr, 0, {}, 0, n);
  train_step();
  Logs logs;
  read_logs(logs);
  return logs;
}

Logs Trainer::test_on_batch(const Arrays& x, const Arrays& y) {
  require_compiled();
  const DistributedScope whole(*this, false);  // the whole batch, on every rank
  const backends::FlushSubnormals flush;
  const Feed xs = bind_inputs(x);
  const std::int64_t n = samples_in(*xs[0]);
  const Feed ys = bind_targets(y, n);
  penalties_ = std::make_unique<detail::Penalties>(model_);
  reset_trackers();
  load_rows(xs, &ys, nullptr, 0, {}, 0, n);
  test_step();
  Logs logs;
  read_logs(logs);
  return logs;
}

}  // namespace strata
