// Every metric against real Keras 3: tests/golden/metric_goldens.json, written by
// tests/golden/make_metric_goldens.py. Each case runs batch by batch, with and without sample
// weights, then once more after reset_state(), on every backend, through the host-array
// update_state a Keras user calls (the device-tensor form underneath).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "losses/test_arrays.hpp"
#include "strata/error.hpp"
#include "strata/metrics/confusion_matrix.hpp"
#include "strata/metrics/mean.hpp"
#include "strata/metrics/metric.hpp"
#include "strata/tensor_host.hpp"

using nlohmann::json;
using strata::test::array_from_json;

namespace {

const json& golden() {
  static const json data = strata::test::read_golden("metric_goldens.json");
  return data;
}

strata::Backend& each_backend() {
  const std::string name = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(name);
  return strata::current_backend();
}

// Keras computes in float32; Strata accumulates in double and stores float32 counts.
bool near(double strata_value, double keras_value) {
  return std::abs(strata_value - keras_value) <= 1e-6 + 1e-6 * std::abs(keras_value);
}

void update(strata::Metric& metric, const json& batch) {
  const xt::xarray<float> y_true = array_from_json(batch["y_true"]);
  const xt::xarray<float> y_pred = array_from_json(batch["y_pred"]);
  if (!batch.contains("sample_weight")) return metric.update_state(y_true, y_pred);
  const xt::xarray<float> w = array_from_json(batch["sample_weight"]);
  metric.update_state(y_true, y_pred, &w);
}

// The metric's value against Keras's: a number, or a list for a metric whose result is a vector.
void check_result(const strata::Metric& metric, const json& want) {
  if (want.is_number()) {
    REQUIRE(metric.scalar_result());
    const double got = metric.result();
    INFO("Strata " << got << ", Keras " << want.get<double>());
    CHECK(near(got, want.get<double>()));
    CHECK(metric.results() == std::vector<double>{got});
    return;
  }
  CHECK_FALSE(metric.scalar_result());
  CHECK_THROWS_AS(metric.result(), strata::ValueError);
  const std::vector<double> got = metric.results();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("value " << i << ": Strata " << got[i] << ", Keras " << want[i].get<double>());
    CHECK(near(got[i], want[i].get<double>()));
  }
}

}  // namespace

TEST_CASE("every metric matches Keras 3 batch by batch, weighted and not, and after a reset",
          "[metrics][metrics-keras][golden]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name() << ", Keras " << golden()["keras_version"].get<std::string>());
  const json& cases = golden()["cases"];
  REQUIRE(cases.size() == 102);
  for (const json& c : cases) {
    INFO(c["class_name"].get<std::string>() << " [" << c["tag"].get<std::string>() << "] " << c["config"].dump());
    const auto metric = strata::Metric::from_config(c);
    CHECK(metric->class_name() == c["class_name"].get<std::string>());
    CHECK(metric->get_config() == c["config"]);
    for (std::size_t b = 0; b < c["batches"].size(); ++b) {
      INFO("batch " << b);
      update(*metric, c["batches"][b]);
      check_result(*metric, c["results"][b]);
    }
    metric->reset_state();
    INFO("after reset_state");
    update(*metric, c["reset"]["batch"]);
    check_result(*metric, c["reset"]["result"]);
  }
}

TEST_CASE("Mean with sample weights matches Keras 3", "[metrics][metrics-keras][golden]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  for (const json& c : golden()["mean"]) {
    strata::metrics::Mean mean;
    for (std::size_t b = 0; b < c["values"].size(); ++b) {
      const strata::Tensor values = strata::from_host(backend, array_from_json(c["values"][b]));
      const strata::Tensor w = strata::from_host(backend, array_from_json(c["sample_weight"][b]));
      mean.update_state(values, &w);
      const double want = c["results"][b].get<double>();
      INFO("update " << b << ": Strata " << mean.result() << ", Keras " << want);
      CHECK(near(mean.result(), want));
    }
  }
}

TEST_CASE("metric names resolve to the classes keras.metrics.get makes", "[metrics][metrics-keras][golden]") {
  const json& names = golden()["names"];
  REQUIRE(names.size() == 20);
  for (const auto& [identifier, class_name] : names.items()) {
    INFO(identifier);
    const auto metric = strata::Metric::from_name(identifier);
    CHECK(metric->class_name() == class_name.get<std::string>());
    CHECK(metric->name() == identifier);
  }
}

TEST_CASE("bad metric arguments and inputs raise Keras 3's messages", "[metrics][metrics-keras][golden]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  const json& errors = golden()["errors"];
  REQUIRE(errors.size() == 16);
  for (const json& e : errors) {
    const std::string message = e["message"].get<std::string>();
    INFO(e["class_name"].get<std::string>() << " " << e["kwargs"].dump() << ": " << message);
    const json serialized = {{"class_name", e["class_name"]}, {"config", e["kwargs"]}};
    if (!e.contains("y_true")) {
      CHECK_THROWS_MATCHES(strata::Metric::from_config(serialized), strata::ValueError,
                           Catch::Matchers::Message(message));
      continue;
    }
    const auto metric = strata::Metric::from_config(serialized);
    const xt::xarray<float> y_true = array_from_json(e["y_true"]);
    const xt::xarray<float> y_pred = array_from_json(e["y_pred"]);
    CHECK_THROWS_MATCHES(metric->update_state(y_true, y_pred), strata::ValueError, Catch::Matchers::Message(message));
  }
}

TEST_CASE("confusion_matrix matches Keras's on class indices", "[metrics][metrics-keras][golden]") {
  const json& cases = golden()["confusion_matrix"];
  REQUIRE(cases.size() == 3);
  for (const json& c : cases) {
    INFO(c.dump());
    const xt::xarray<float> labels = array_from_json(c["labels"]);
    const xt::xarray<float> predictions = array_from_json(c["predictions"]);
    const auto k = c["num_classes"].get<std::int64_t>();
    xt::xarray<std::int64_t> cm;
    if (c.contains("weights")) {
      const xt::xarray<float> w = array_from_json(c["weights"]);
      cm = strata::metrics::confusion_matrix(labels, predictions, k, &w);
    } else {
      cm = strata::metrics::confusion_matrix(labels, predictions, k);
    }
    REQUIRE(cm.shape()[0] == static_cast<std::size_t>(k));
    for (std::size_t i = 0; i < cm.shape()[0]; ++i)
      for (std::size_t j = 0; j < cm.shape()[1]; ++j) CHECK(cm(i, j) == c["matrix"][i][j].get<std::int64_t>());
  }
}
