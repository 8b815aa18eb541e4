#include "strata/metrics/metric.hpp"

#include <cctype>
#include <functional>

#include <nlohmann/json.hpp>

#include "api/registry.hpp"
#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/metrics/accuracy.hpp"
#include "strata/metrics/auc.hpp"
#include "strata/metrics/binary_accuracy.hpp"
#include "strata/metrics/categorical_accuracy.hpp"
#include "strata/metrics/cosine_similarity.hpp"
#include "strata/metrics/f1_score.hpp"
#include "strata/metrics/fbeta_score.hpp"
#include "strata/metrics/mean.hpp"
#include "strata/metrics/mean_absolute_error.hpp"
#include "strata/metrics/mean_iou.hpp"
#include "strata/metrics/mean_squared_error.hpp"
#include "strata/metrics/precision.hpp"
#include "strata/metrics/r2_score.hpp"
#include "strata/metrics/recall.hpp"
#include "strata/metrics/root_mean_squared_error.hpp"
#include "strata/metrics/sparse_categorical_accuracy.hpp"
#include "strata/metrics/sparse_top_k_categorical_accuracy.hpp"
#include "strata/metrics/top_k_categorical_accuracy.hpp"
#include "strata/tensor_host.hpp"

namespace strata {

namespace {

using metrics::BinaryAccuracy;
using metrics::CategoricalAccuracy;
using metrics::SparseCategoricalAccuracy;

// The metric compile makes of "accuracy"/"acc": its class is chosen from the shapes of the first
// batch (Keras's compile_utils.is_binary_or_sparse_categorical), then it forwards to it.
class AutoAccuracy : public Metric {
 public:
  explicit AutoAccuracy(std::string name) : Metric(std::move(name)) {}
  AutoAccuracy(const AutoAccuracy& other) : Metric(other.name()) {}

  std::string class_name() const override { return chosen_ ? chosen_->class_name() : "auto"; }
  nlohmann::json get_config() const override { return chosen_ ? chosen_->get_config() : Metric::get_config(); }

  using Metric::update_state;
  void update_state(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight) override {
    if (!chosen_) {
      STRATA_CHECK(y_true.defined() && y_pred.defined(), ValueError, "Metric \"", name(),
                   "\": y_true and y_pred must both be defined tensors");
      const Shape& t = y_true.shape();
      const Shape& p = y_pred.shape();
      STRATA_CHECK(t.rank() >= 1 && p.rank() >= 1, ShapeError, "Metric \"", name(),
                   "\": y_true and y_pred must have at least one axis, received y_true.shape=", t.to_string(),
                   ", y_pred.shape=", p.to_string());
      const bool is_binary = p[-1] == 1;
      const bool is_sparse = t.rank() < p.rank() || (t[-1] == 1 && p[-1] > 1);
      if (is_binary)
        chosen_ = std::make_shared<BinaryAccuracy>(BinaryAccuracy::Options{.name = name()});
      else if (is_sparse)
        chosen_ = std::make_shared<SparseCategoricalAccuracy>(name());
      else
        chosen_ = std::make_shared<CategoricalAccuracy>(name());
    }
    chosen_->update_state(y_true, y_pred, sample_weight);
  }
  double result() const override { return chosen_ ? chosen_->result() : 0.0; }
  void reset_state() override {
    if (chosen_) chosen_->reset_state();
  }
  std::vector<Tensor> state_tensors() const override {
    return chosen_ ? chosen_->state_tensors() : std::vector<Tensor>{};
  }

 private:
  std::shared_ptr<Metric> chosen_;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

using Factory = std::function<std::shared_ptr<Metric>(std::string name)>;

template <class T>
Factory make() {
  return [](std::string name) -> std::shared_ptr<Metric> { return std::make_shared<T>(std::move(name)); };
}

// For the classes taking an options struct with a name.
template <class T>
Factory make_with_options() {
  return [](std::string name) -> std::shared_ptr<Metric> {
    typename T::Options options;
    options.name = std::move(name);
    return std::make_shared<T>(std::move(options));
  };
}

struct NameEntry {
  const char* name;
  Factory make;
};

// Keras's metrics.get() identifiers for the metrics Strata has (snake_case class names, class
// names and the mse/mae aliases), after compile's "accuracy"/"acc". Mean is left out: compile
// would feed it y_pred as sample weights.
const std::vector<NameEntry>& name_table() {
  using namespace metrics;
  static const Factory binary = [](std::string name) -> std::shared_ptr<Metric> {
    return std::make_shared<BinaryAccuracy>(BinaryAccuracy::Options{.name = std::move(name)});
  };
  static const std::vector<NameEntry> table = {
      {"accuracy", make<AutoAccuracy>()},
      {"acc", make<AutoAccuracy>()},
      {"binary_accuracy", binary},
      {"BinaryAccuracy", binary},
      {"categorical_accuracy", make<CategoricalAccuracy>()},
      {"CategoricalAccuracy", make<CategoricalAccuracy>()},
      {"sparse_categorical_accuracy", make<SparseCategoricalAccuracy>()},
      {"SparseCategoricalAccuracy", make<SparseCategoricalAccuracy>()},
      {"mean_squared_error", make<metrics::MeanSquaredError>()},
      {"mse", make<metrics::MeanSquaredError>()},
      {"MSE", make<metrics::MeanSquaredError>()},
      {"MeanSquaredError", make<metrics::MeanSquaredError>()},
      {"mean_absolute_error", make<metrics::MeanAbsoluteError>()},
      {"mae", make<metrics::MeanAbsoluteError>()},
      {"MAE", make<metrics::MeanAbsoluteError>()},
      {"MeanAbsoluteError", make<metrics::MeanAbsoluteError>()},
      {"root_mean_squared_error", make<RootMeanSquaredError>()},
      {"RootMeanSquaredError", make<RootMeanSquaredError>()},
      {"cosine_similarity", make<CosineSimilarity>()},
      {"CosineSimilarity", make<CosineSimilarity>()},
      {"top_k_categorical_accuracy", make_with_options<TopKCategoricalAccuracy>()},
      {"TopKCategoricalAccuracy", make_with_options<TopKCategoricalAccuracy>()},
      {"sparse_top_k_categorical_accuracy", make_with_options<SparseTopKCategoricalAccuracy>()},
      {"SparseTopKCategoricalAccuracy", make_with_options<SparseTopKCategoricalAccuracy>()},
      {"precision", make_with_options<Precision>()},
      {"Precision", make_with_options<Precision>()},
      {"recall", make_with_options<Recall>()},
      {"Recall", make_with_options<Recall>()},
      {"auc", make_with_options<AUC>()},
      {"AUC", make_with_options<AUC>()},
      {"f1_score", make_with_options<F1Score>()},
      {"F1Score", make_with_options<F1Score>()},
      {"f_beta_score", make_with_options<FBetaScore>()},
      {"FBetaScore", make_with_options<FBetaScore>()},
      {"r2_score", make_with_options<R2Score>()},
      {"R2Score", make_with_options<R2Score>()},
  };
  return table;
}

template <class T>
ConfigFactory<Metric> from_config_of() {
  return [](const nlohmann::json& config) -> std::shared_ptr<Metric> { return T::from_config(config); };
}

}  // namespace

detail::Registry<Metric>& detail::metric_registry() {
  using namespace metrics;
  static strata::detail::Registry<Metric> registry(
      "metric", "register_metric",
      {
          {"Mean", from_config_of<Mean>()},
          {"Accuracy", from_config_of<Accuracy>()},
          {"BinaryAccuracy", from_config_of<BinaryAccuracy>()},
          {"CategoricalAccuracy", from_config_of<CategoricalAccuracy>()},
          {"SparseCategoricalAccuracy", from_config_of<SparseCategoricalAccuracy>()},
          {"MeanSquaredError", from_config_of<metrics::MeanSquaredError>()},
          {"MeanAbsoluteError", from_config_of<metrics::MeanAbsoluteError>()},
          {"RootMeanSquaredError", from_config_of<RootMeanSquaredError>()},
          {"CosineSimilarity", from_config_of<CosineSimilarity>()},
          {"TopKCategoricalAccuracy", from_config_of<TopKCategoricalAccuracy>()},
          {"SparseTopKCategoricalAccuracy", from_config_of<SparseTopKCategoricalAccuracy>()},
          {"Precision", from_config_of<Precision>()},
          {"Recall", from_config_of<Recall>()},
          {"AUC", from_config_of<AUC>()},
          {"F1Score", from_config_of<F1Score>()},
          {"FBetaScore", from_config_of<FBetaScore>()},
          {"R2Score", from_config_of<R2Score>()},
          {"MeanIoU", from_config_of<MeanIoU>()},
      });
  return registry;
}

void register_metric(const std::string& name, ConfigFactory<Metric> factory) {
  detail::metric_registry().add(name, std::move(factory));
}

nlohmann::json Metric::get_config() const { return {{"name", name_}, {"dtype", "float32"}}; }

std::vector<Tensor> Metric::state_tensors() const {
  throw ValueError(detail::concat("Metric \"", name_, "\" (", class_name(),
                                  ") does not say where its state is: override state_tensors() to return its tensors, "
                                  "which data-parallel training adds across processes"));
}

void Metric::update_state(const xt::xarray<float>& y_true, const xt::xarray<float>& y_pred,
                          const xt::xarray<float>* sample_weight) {
  Backend& backend = current_backend();
  const Tensor t = from_host(backend, y_true);
  const Tensor p = from_host(backend, y_pred);
  if (!sample_weight) return update_state(t, p, nullptr);
  const Tensor w = from_host(backend, *sample_weight);
  update_state(t, p, &w);
}

std::vector<std::string> Metric::names() {
  std::vector<std::string> out;
  for (const auto& e : name_table()) out.emplace_back(e.name);
  return out;
}

std::shared_ptr<Metric> Metric::from_name(std::string_view name) {
  const std::string key = lower(name);
  if (key == "accuracy" || key == "acc") return std::make_shared<AutoAccuracy>(std::string(name));
  for (const auto& e : name_table())
    if (name == e.name) return e.make(std::string(name));
  std::string valid;
  for (const auto& n : names()) valid += (valid.empty() ? "" : ", ") + n;
  throw ValueError(detail::concat("Could not interpret metric identifier: ", name, ". Valid names are: ", valid));
}

std::shared_ptr<Metric> Metric::from_config(const nlohmann::json& config) {
  if (config.is_string()) return from_name(config.get<std::string>());
  STRATA_CHECK(config.is_object() && config.contains("class_name") && config["class_name"].is_string(), ValueError,
               "A metric config needs a \"class_name\", received: ", config.dump());
  const std::string class_name = config["class_name"].get<std::string>();
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& inner = config.contains("config") ? config["config"] : empty;
  if (const auto make = detail::metric_registry().find(config)) return make(inner);
  throw ValueError(detail::concat("Could not interpret metric class: ", class_name, ". Valid classes are: ",
                                  detail::metric_registry().known_names(), ". For a custom class, ",
                                  detail::metric_registry().how_to_register(class_name), "."));
}

}  // namespace strata
