// Metrics against real Keras 3: tests/golden/metrics.json, written by
// tests/golden/make_loss_metric_goldens.py.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "losses/test_arrays.hpp"
#include "strata/metrics/mean.hpp"
#include "strata/metrics/metric.hpp"
#include "strata/tensor_host.hpp"

using nlohmann::json;
using strata::test::close;
using strata::test::tensor_from_json;

namespace {

const json& golden() {
  static const json data = strata::test::read_golden("metrics.json");
  return data;
}

strata::Backend& each_backend() {
  const std::string name = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(name);
  return strata::current_backend();
}

}  // namespace

TEST_CASE("metric results match Keras 3 batch by batch", "[metrics][golden]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name() << ", Keras " << golden()["keras_version"].get<std::string>());

  const json& cases = golden()["cases"];
  REQUIRE(cases.size() == 22);
  for (const json& c : cases) {
    INFO(c["class_name"].get<std::string>() << " " << c["config"].dump() << " [" << c["tag"].get<std::string>() << "]");
    const auto metric = strata::Metric::from_config(c);
    CHECK(metric->class_name() == c["class_name"].get<std::string>());
    CHECK(metric->get_config() == c["config"]);
    for (std::size_t b = 0; b < c["batches"].size(); ++b) {
      const json& batch = c["batches"][b];
      metric->update_state(tensor_from_json(backend, batch["y_true"]), tensor_from_json(backend, batch["y_pred"]));
      const double want = c["results"][b].get<double>();
      INFO("batch " << b << ": Strata " << metric->result() << ", Keras " << want);
      CHECK(close(metric->result(), want, 1e-5, 1e-6));
    }
  }
}

TEST_CASE("Mean matches Keras 3 on values of mixed ranks", "[metrics][golden]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  for (const json& c : golden()["mean"]) {
    auto metric = std::dynamic_pointer_cast<strata::metrics::Mean>(strata::Metric::from_config(c));
    REQUIRE(metric);
    CHECK(metric->get_config() == c["config"]);
    for (std::size_t b = 0; b < c["values"].size(); ++b) {
      metric->update_state(tensor_from_json(backend, c["values"][b]));
      const double want = c["results"][b].get<double>();
      INFO("update " << b << ": Strata " << metric->result() << ", Keras " << want);
      CHECK(close(metric->result(), want, 1e-6, 1e-6));
    }
  }
}

TEST_CASE("\"accuracy\" and \"acc\" resolve to the class Keras 3's compile picks", "[metrics][golden]") {
  strata::Backend& backend = each_backend();
  INFO("backend " << backend.name());
  const json& cases = golden()["auto"];
  REQUIRE(cases.size() == 10);
  for (const json& c : cases) {
    INFO(c["identifier"].get<std::string>() << " [" << c["tag"].get<std::string>() << "]");
    const auto metric = strata::Metric::from_name(c["identifier"].get<std::string>());
    metric->update_state(tensor_from_json(backend, c["y_true"]), tensor_from_json(backend, c["y_pred"]));
    CHECK(metric->class_name() == c["class_name"].get<std::string>());
    CHECK(metric->name() == c["name"].get<std::string>());
    CHECK(close(metric->result(), c["result"].get<double>(), 1e-6, 1e-6));
  }
}

TEST_CASE("metric configs match Keras 3's and load back", "[metrics][golden]") {
  for (const json& entry : golden()["configs"]) {
    INFO(entry.dump());
    const auto metric = strata::Metric::from_config(entry);
    CHECK(metric->class_name() == entry["class_name"].get<std::string>());
    CHECK(metric->get_config() == entry["config"]);
  }
}
