#include "strata/losses/loss.hpp"

#include <array>
#include <functional>

#include <nlohmann/json.hpp>

#include "api/registry.hpp"
#include "losses/shape_rules.hpp"
#include "strata/error.hpp"
#include "strata/losses/binary_crossentropy.hpp"
#include "strata/losses/categorical_crossentropy.hpp"
#include "strata/losses/huber.hpp"
#include "strata/losses/mean_absolute_error.hpp"
#include "strata/losses/mean_squared_error.hpp"
#include "strata/losses/sparse_categorical_crossentropy.hpp"
#include "strata/tensor_host.hpp"

namespace strata {

namespace {

constexpr std::array<std::pair<Reduction, std::string_view>, 4> kReductions = {{
    {Reduction::SumOverBatchSize, "sum_over_batch_size"},
    {Reduction::Sum, "sum"},
    {Reduction::Mean, "mean"},
    {Reduction::None, "none"},
}};

// The shapes the backend op receives for one (y_true, y_pred) pair, after Keras's rank rules.
struct Resolved {
  Shape y_true;  // as the op reads it: y_pred's shape, or its shape without the last axis (sparse)
  Shape y_pred;
  Shape values;       // the op's values: y_pred's shape without the last axis
  Shape user_values;  // Keras's per-sample shape: () when y_pred has one axis
};

Resolved resolve(const Shape& y_true, const Shape& y_pred, bool sparse, const std::string& name) {
  STRATA_CHECK(y_pred.rank() >= 1, ShapeError, "Loss \"", name,
               "\": y_pred must have at least one axis, received shape ", y_pred.to_string());
  Shape t = y_true, p = y_pred;
  detail::squeeze_or_expand_to_same_rank(t, p);
  if (sparse) {
    t = detail::sparse_label_shape(t, p);
    STRATA_CHECK(t == p.without_last_axis(), ShapeError, "Loss \"", name,
                 "\": Arguments `target` and `output` must have the same shape up until the "
                 "last dimension: target.shape=",
                 t.to_string(), ", output.shape=", p.to_string());
  } else {
    STRATA_CHECK(t == p, ShapeError, "Loss \"", name,
                 "\": Arguments `target` and `output` must have the same shape. Received: "
                 "target.shape=",
                 t.to_string(), ", output.shape=", p.to_string());
  }
  Resolved r;
  r.user_values = p.without_last_axis();
  if (p.rank() == 1) {  // one sample: the op sees it as a batch of one
    p = Shape{1, p[0]};
    t = sparse ? Shape{1} : p;
  }
  r.y_true = t;
  r.y_pred = p;
  r.values = p.without_last_axis();
  return r;
}

void check_same_backend(const Tensor& tensor, const Backend& backend, const char* what, const std::string& name) {
  STRATA_CHECK(&tensor.backend() == &backend, ValueError, "Loss \"", name, "\": ", what, " lives on backend \"",
               tensor.backend().name(), "\" but y_pred on \"", backend.name(), "\"");
}

using Factory = std::function<std::shared_ptr<Loss>()>;

struct NameEntry {
  const char* name;
  Factory make;
};

template <class T>
Factory make() {
  return [] { return std::make_shared<T>(); };
}

// Keras's losses.get() identifiers for the losses Strata has: the class names, the function
// names and the aliases (losses/__init__.py). Lookup is case-sensitive, as in Keras.
const std::vector<NameEntry>& name_table() {
  using namespace losses;
  static const std::vector<NameEntry> table = {
      {"mean_squared_error", make<MeanSquaredError>()},
      {"mse", make<MeanSquaredError>()},
      {"MSE", make<MeanSquaredError>()},
      {"MeanSquaredError", make<MeanSquaredError>()},
      {"mean_absolute_error", make<MeanAbsoluteError>()},
      {"mae", make<MeanAbsoluteError>()},
      {"MAE", make<MeanAbsoluteError>()},
      {"MeanAbsoluteError", make<MeanAbsoluteError>()},
      {"huber", make<Huber>()},
      {"Huber", make<Huber>()},
      {"binary_crossentropy", make<BinaryCrossentropy>()},
      {"bce", make<BinaryCrossentropy>()},
      {"BCE", make<BinaryCrossentropy>()},
      {"BinaryCrossentropy", make<BinaryCrossentropy>()},
      {"categorical_crossentropy", make<CategoricalCrossentropy>()},
      {"CategoricalCrossentropy", make<CategoricalCrossentropy>()},
      {"sparse_categorical_crossentropy", make<SparseCategoricalCrossentropy>()},
      {"SparseCategoricalCrossentropy", make<SparseCategoricalCrossentropy>()},
  };
  return table;
}

template <class T>
ConfigFactory<Loss> from_config_of() {
  return [](const nlohmann::json& config) -> std::shared_ptr<Loss> { return T::from_config(config); };
}

}  // namespace

detail::Registry<Loss>& detail::loss_registry() {
  using namespace losses;
  static detail::Registry<Loss> registry(
      "loss", "register_loss",
      {
          {"MeanSquaredError", from_config_of<MeanSquaredError>()},
          {"MeanAbsoluteError", from_config_of<MeanAbsoluteError>()},
          {"Huber", from_config_of<Huber>()},
          {"BinaryCrossentropy", from_config_of<BinaryCrossentropy>()},
          {"CategoricalCrossentropy", from_config_of<CategoricalCrossentropy>()},
          {"SparseCategoricalCrossentropy", from_config_of<SparseCategoricalCrossentropy>()},
      });
  return registry;
}

namespace {

std::string joined_names() {
  std::string out;
  for (const auto& n : Loss::names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

// ---- reductions ------------------------------------------------------------------------------

std::string_view reduction_name(Reduction reduction) {
  for (const auto& [r, name] : kReductions)
    if (r == reduction) return name;
  throw ValueError("invalid Reduction value");
}

Reduction reduction_from_name(std::string_view name) {
  for (const auto& [r, known] : kReductions)
    if (known == name) return r;
  std::string valid;
  for (const auto& [r, known] : kReductions) valid += (valid.empty() ? "'" : ", '") + std::string(known) + "'";
  throw ValueError(detail::concat("Invalid value for argument `reduction`. Expected one of ", valid,
                                  ". Received: reduction=", name));
}

// ---- Loss ------------------------------------------------------------------------------------

Loss::Loss(std::string name, Reduction reduction) : name_(std::move(name)), reduction_(reduction) {}

Loss::Loss(const Loss& other) : name_(other.name_), reduction_(other.reduction_) {}

Loss& Loss::operator=(const Loss& other) {
  name_ = other.name_;
  reduction_ = other.reduction_;
  tracker_sum_.reset();
  return *this;
}

nlohmann::json Loss::get_config() const {
  return {{"name", name_}, {"reduction", std::string(reduction_name(reduction_))}};
}

Shape Loss::values_shape(const Shape& y_true, const Shape& y_pred) const {
  return resolve(y_true, y_pred, sparse_labels(), name_).user_values;
}

void Loss::compute(const Tensor& y_true, const Tensor& y_pred, Tensor& values, Tensor* grad, Tensor& tracker,
                   double grad_weight, const Tensor* sample_weight) const {
  STRATA_CHECK(y_true.defined() && y_pred.defined(), ValueError, "Loss \"", name_,
               "\": y_true and y_pred must both be defined tensors");
  Backend& backend = y_pred.backend();
  check_same_backend(y_true, backend, "y_true", name_);
  STRATA_CHECK(values.defined(), ValueError, "Loss \"", name_, "\": values must be a defined tensor");
  check_same_backend(values, backend, "values", name_);
  STRATA_CHECK(tracker.defined() && tracker.size() == 2, ShapeError, "Loss \"", name_,
               "\": the tracker must be a (2,) tensor, received ",
               tracker.defined() ? tracker.shape().to_string() : std::string("an undefined tensor"));
  check_same_backend(tracker, backend, "the tracker", name_);

  LossParams p = params();
  const Resolved r = resolve(y_true.shape(), y_pred.shape(), p.kind == LossKind::SparseCategoricalCrossentropy, name_);
  const std::int64_t n = r.values.num_elements();
  STRATA_CHECK(values.size() == n, ShapeError, "Loss \"", name_, "\": values must have shape ",
               r.user_values.to_string(), ", received ", values.shape().to_string());
  Tensor grad_view;
  if (grad != nullptr) {
    STRATA_CHECK(grad->defined() && grad->size() == y_pred.size(), ShapeError, "Loss \"", name_,
                 "\": grad must have y_pred's shape ", y_pred.shape().to_string(), ", received ",
                 grad->defined() ? grad->shape().to_string() : std::string("an undefined tensor"));
    check_same_backend(*grad, backend, "grad", name_);
    grad_view = grad->reshaped(r.y_pred);
  }

  // The reduced loss is factor * sum(values); "none" trains on the mean of the values.
  const double factor = reduction_ == Reduction::Sum || n == 0 ? 1.0 : 1.0 / static_cast<double>(n);
  p.grad_scale = static_cast<float>(factor * grad_weight);
  Tensor values_view = values.reshaped(r.values);
  backend.loss(p, y_true.reshaped(r.y_true), y_pred.reshaped(r.y_pred), values_view,
               grad != nullptr ? &grad_view : nullptr);
  if (sample_weight != nullptr) {
    // Keras's reduce_weighted_values: each sample's values times its weight, then the same
    // reduction (the divisor stays the number of values); the gradient scales alike.
    const std::int64_t batch = r.values.rank() == 0 ? 1 : r.values[0];
    STRATA_CHECK(sample_weight->defined() && sample_weight->size() == batch, ShapeError, "Loss \"", name_,
                 "\": sample_weight must hold one weight per sample (", batch, "), received ",
                 sample_weight->defined() ? sample_weight->shape().to_string() : std::string("an undefined tensor"));
    check_same_backend(*sample_weight, backend, "sample_weight", name_);
    const auto per_sample = [&](const Shape& like) {
      std::vector<std::int64_t> dims(static_cast<std::size_t>(like.rank()), 1);
      dims[0] = batch;
      return sample_weight->reshaped(Shape(dims));
    };
    backend.binary(BinaryOp::Multiply, values_view, per_sample(r.values), values_view);
    if (grad != nullptr) backend.binary(BinaryOp::Multiply, grad_view, per_sample(r.y_pred), grad_view);
  }

  // Keras's loss tracker: Mean(reduced loss, sample_weight = batch size).
  if (!tracker_sum_) tracker_sum_ = std::make_shared<detail::WeightedSum>();
  tracker_sum_->add(backend, values_view, y_pred.shape()[0], factor, tracker);
}

xt::xarray<float> Loss::operator()(const xt::xarray<float>& y_true, const xt::xarray<float>& y_pred,
                                   const xt::xarray<float>* sample_weight) const {
  Backend& backend = current_backend();
  const Tensor t = from_host(backend, y_true);
  const Tensor p = from_host(backend, y_pred);
  Tensor values(backend, values_shape(t.shape(), p.shape()));
  Tensor tracker(backend, Shape{2});
  backend.fill(tracker, 0.f);
  Tensor weights;
  if (sample_weight != nullptr) weights = from_host(backend, *sample_weight);
  compute(t, p, values, nullptr, tracker, 1.0, sample_weight != nullptr ? &weights : nullptr);
  xt::xarray<float> per_sample = to_host(values);
  if (reduction_ == Reduction::None) return per_sample;
  double sum = 0.0;
  for (const float v : per_sample) sum += v;
  const auto n = static_cast<double>(per_sample.size());
  const double reduced = reduction_ == Reduction::Sum ? sum : (n > 0 ? sum / n : 0.0);
  xt::xarray<float> out = xt::xarray<float>::from_shape({});
  out() = static_cast<float>(reduced);
  return out;
}

// ---- names and configs -----------------------------------------------------------------------

std::vector<std::string> Loss::names() {
  std::vector<std::string> out;
  for (const auto& e : name_table()) out.emplace_back(e.name);
  return out;
}

std::shared_ptr<Loss> Loss::from_name(std::string_view name) {
  for (const auto& e : name_table())
    if (name == e.name) return e.make();
  throw ValueError(
      detail::concat("Could not interpret loss identifier: ", name, ". Valid names are: ", joined_names()));
}

std::shared_ptr<Loss> Loss::from_config(const nlohmann::json& config) {
  if (config.is_string()) return from_name(config.get<std::string>());
  STRATA_CHECK(config.is_object() && config.contains("class_name") && config["class_name"].is_string(), ValueError,
               "A loss config needs a \"class_name\", received: ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& inner = config.contains("config") ? config["config"] : empty;
  // A loss function rather than a Loss object: {"class_name": "function", "config": "mse"}.
  if (class_name == "function") {
    STRATA_CHECK(inner.is_string(), ValueError,
                 "A serialized loss function needs its name as \"config\", received: ", config.dump());
    return from_name(inner.get<std::string>());
  }
  if (const auto make = detail::loss_registry().find(config)) return make(inner);
  throw ValueError(detail::concat("Could not interpret loss class: ", class_name,
                                  ". Valid classes are: ", detail::loss_registry().known_names(),
                                  ". For a custom class, ", detail::loss_registry().how_to_register(class_name), "."));
}

void register_loss(const std::string& name, ConfigFactory<Loss> factory) {
  detail::loss_registry().add(name, std::move(factory));
}

}  // namespace strata
