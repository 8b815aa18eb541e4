#include "strata/metrics/mean_iou.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "metrics/confusion_counts.hpp"
#include "metrics/metric_config.hpp"
#include "metrics/state.hpp"

namespace strata::metrics {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()

// The tensor as n class indices (sparse) or n rows over its last axis.
Shape pairs_view(const Shape& shape, bool sparse) {
  if (sparse) return Shape{shape.num_elements()};
  const std::int64_t c = shape[-1];
  return Shape{c == 0 ? 0 : shape.num_elements() / c, c};
}

}  // namespace

MeanIoU::MeanIoU(std::int64_t num_classes, Options options)
    : Metric(options.name), num_classes_(num_classes), options_(std::move(options)) {
  detail::check_name(name());
  STRATA_CHECK(num_classes_ >= 1, ValueError,
               "Argument `num_classes` must be an integer >= 1. Received: num_classes=", num_classes_);
  STRATA_CHECK(options_.dtype == "int32" || options_.dtype == "float32", ValueError,
               "Metric MeanIoU: dtype must be \"int32\" or \"float32\", received: \"", options_.dtype, "\"");
}

MeanIoU::MeanIoU(const MeanIoU& other)
    : Metric(other.name()), num_classes_(other.num_classes_), options_(other.options_) {}

MeanIoU& MeanIoU::operator=(const MeanIoU& other) {
  Metric::operator=(other);
  num_classes_ = other.num_classes_;
  options_ = other.options_;
  state_ = Tensor();
  return *this;
}

nlohmann::json MeanIoU::get_config() const {
  return {{"num_classes", num_classes_},
          {"name", name()},
          {"dtype", options_.dtype},
          {"ignore_class", strata::detail::optional_json(options_.ignore_class)},
          {"sparse_y_true", options_.sparse_y_true},
          {"sparse_y_pred", options_.sparse_y_pred},
          {"axis", -1}};
}

void MeanIoU::update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) {
  Backend& backend = detail::pair_backend(y_true, y_pred, name());
  STRATA_CHECK(options_.sparse_y_true || y_true.shape().rank() >= 1, ShapeError, "Metric \"", name(),
               "\": one-hot y_true needs a class axis, received shape ", y_true.shape().to_string());
  STRATA_CHECK(options_.sparse_y_pred || y_pred.shape().rank() >= 1, ShapeError, "Metric \"", name(),
               "\": y_pred of scores needs a class axis, received shape ", y_pred.shape().to_string());
  const Shape t = pairs_view(y_true.shape(), options_.sparse_y_true);
  const Shape p = pairs_view(y_pred.shape(), options_.sparse_y_pred);
  STRATA_CHECK(t[0] == p[0], ShapeError, "Metric \"", name(), "\": y_true holds ", t[0], " labels but y_pred ", p[0],
               " predictions, received y_true.shape=", y_true.shape().to_string(),
               ", y_pred.shape=", y_pred.shape().to_string());
  Tensor view;
  const Tensor* weights = nullptr;
  if (sample_weight) {
    // One weight per pair, or per leading sample of y_pred (shared by that sample's pairs).
    const std::int64_t per_sample = y_pred.shape().rank() == 0 ? 1 : y_pred.shape()[0];
    const std::int64_t m = sample_weight->defined() && sample_weight->size() == t[0] ? t[0] : per_sample;
    weights = detail::weight_view(sample_weight, backend, m, name(), view);
    STRATA_CHECK(m > 0 ? t[0] % m == 0 : t[0] == 0, ShapeError, "Metric \"", name(), "\": sample_weight of ", m,
                 " elements does not divide the ", t[0], " pairs evenly");
  }
  Tensor& state = detail::state_on(state_, backend, name(), Shape{num_classes_, num_classes_});
  if (t[0] == 0) return;
  IouParams params;
  params.num_classes = num_classes_;
  params.sparse_y_true = options_.sparse_y_true;
  params.sparse_y_pred = options_.sparse_y_pred;
  params.ignore_class = options_.ignore_class;
  params.integer_weights = options_.dtype == "int32";
  backend.iou_update(params, y_true.reshaped(t), y_pred.reshaped(p), weights, state);
}

double MeanIoU::result() const {
  const std::vector<float> cm = detail::read_state(state_);
  if (cm.empty()) return 0.0;
  const auto k = static_cast<std::size_t>(num_classes_);
  double sum = 0.0, valid = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    double predicted = 0.0, actual = 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      predicted += cm[j * k + i];
      actual += cm[i * k + j];
    }
    const double tp = cm[i * k + i];
    const double denominator = predicted + actual - tp;
    if (denominator > 1e-9) {
      sum += tp / (denominator + kEpsilon);
      valid += 1.0;
    } else if (std::isnan(denominator)) {
      sum += denominator;  // a NaN counted stays visible
    }
  }
  return sum / (valid + kEpsilon);
}

void MeanIoU::reset_state() { detail::state_reset(state_); }

std::shared_ptr<MeanIoU> MeanIoU::from_config(const nlohmann::json& config) {
  detail::ConfigReader reader(config, "metric", "MeanIoU");
  const nlohmann::json& classes = reader.at("num_classes");
  STRATA_CHECK(classes.is_number_integer(), ValueError, reader.prefix(),
               "config key \"num_classes\" must be an integer, received: ", classes.dump());
  Options options;
  options.name = reader.string("name", options.name);
  const nlohmann::json& dtype = reader.at("dtype");
  if (dtype.is_string()) {
    options.dtype = dtype.get<std::string>();
  } else if (dtype.is_object() && dtype.contains("config") && dtype["config"].is_object()) {
    options.dtype = dtype["config"].value("name", options.dtype);  // a DTypePolicy
  } else {
    STRATA_CHECK(dtype.is_null(), ValueError, reader.prefix(),
                 "config key \"dtype\" must be a string, received: ", dtype.dump());
  }
  options.ignore_class = strata::detail::read_optional_int(reader, "ignore_class");
  options.sparse_y_true = reader.boolean("sparse_y_true", true);
  options.sparse_y_pred = reader.boolean("sparse_y_pred", true);
  reader.axis();
  reader.finish();
  return std::make_shared<MeanIoU>(classes.get<std::int64_t>(), std::move(options));
}

std::vector<Tensor> MeanIoU::state_tensors() const {
  return state_.defined() ? std::vector<Tensor>{state_} : std::vector<Tensor>{};
}

}  // namespace strata::metrics
