// Losses against real Keras 3: tests/golden/losses.json, written by
// tests/golden/make_loss_metric_goldens.py (Keras on its JAX backend, float32).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "losses/test_arrays.hpp"
#include "strata/losses/loss.hpp"
#include "strata/tensor_host.hpp"

using nlohmann::json;
using strata::test::array_from_json;
using strata::test::close;

namespace {

const json& golden() {
  static const json data = strata::test::read_golden("losses.json");
  return data;
}

// Keras's serialized loss with Huber's delta put back: Keras 3's Huber.get_config() drops it
// (the script stores it under "fn_kwargs"); Strata writes it (see huber.hpp).
json with_delta(const json& entry) {
  json out = {{"class_name", entry["class_name"]}, {"config", entry["config"]}};
  if (entry["class_name"] == "Huber") out["config"]["delta"] = entry["fn_kwargs"]["delta"];
  return out;
}

std::string describe(const json& c) {
  return c["class_name"].get<std::string>() + " " + c["config"].dump() + " [" + c.value("tag", std::string()) + "]";
}

}  // namespace

TEST_CASE("loss values match Keras 3", "[losses][golden]") {
  const std::string backend = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(backend);
  INFO("backend " << backend << ", Keras " << golden()["keras_version"].get<std::string>());

  const json& cases = golden()["cases"];
  REQUIRE(cases.size() > 100);
  std::size_t checked = 0;
  for (const json& c : cases) {
    INFO(describe(c));
    const auto loss = strata::Loss::from_config(with_delta(c));  // Keras's own serialized form
    REQUIRE(loss->class_name() == c["class_name"].get<std::string>());
    CHECK(loss->get_config() == with_delta(c)["config"]);
    const xt::xarray<float> got = (*loss)(array_from_json(c["y_true"]), array_from_json(c["y_pred"]));
    const xt::xarray<float> want = array_from_json(c["result"]);
    REQUIRE(std::vector<std::size_t>(got.shape().begin(), got.shape().end()) ==
            c["result_shape"].get<std::vector<std::size_t>>());
    for (std::size_t i = 0; i < want.size(); ++i) {
      INFO("element " << i << ": Strata " << got.flat(i) << ", Keras " << want.flat(i));
      CHECK(close(got.flat(i), want.flat(i), 1e-5, 1e-6));
    }
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("the running loss matches fit's loss tracker in Keras 3", "[losses][golden]") {
  const std::string backend_name = GENERATE(from_range(strata::available_backends()));
  strata::set_backend(backend_name);
  strata::Backend& backend = strata::current_backend();
  INFO("backend " << backend_name);

  const json& trackers = golden()["trackers"];
  REQUIRE(trackers.size() == 12);
  for (const json& c : trackers) {
    INFO(describe(c));
    const auto loss = strata::Loss::from_config(c);
    strata::Tensor tracker(backend, strata::Shape{2});
    backend.fill(tracker, 0.f);
    const json& batches = c["batches"];
    for (std::size_t b = 0; b < batches.size(); ++b) {
      const strata::Tensor yt = strata::test::tensor_from_json(backend, batches[b]["y_true"]);
      const strata::Tensor yp = strata::test::tensor_from_json(backend, batches[b]["y_pred"]);
      strata::Tensor values(backend, loss->values_shape(yt.shape(), yp.shape()));
      strata::Tensor grad(backend, yp.shape());
      loss->compute(yt, yp, values, &grad, tracker);
      const auto [total, count] = strata::test::read_state(tracker);
      const double want = c["results"][b].get<double>();
      INFO("batch " << b << ": Strata " << total / count << ", Keras " << want);
      CHECK(close(total / count, want, 1e-5, 1e-6));
    }
  }
}

TEST_CASE("loss configs match Keras 3's and load back", "[losses][golden]") {
  for (const json& entry : golden()["configs"]) {
    INFO(entry.dump());
    const auto loss = strata::Loss::from_config(entry);
    CHECK(loss->class_name() == entry["class_name"].get<std::string>());
    if (entry["class_name"] == "Huber")
      CHECK(loss->get_config()["delta"] == 1.0);  // what loading Keras's own config gives
    const auto full = strata::Loss::from_config(with_delta(entry));
    json want = with_delta(entry)["config"];
    if (want["reduction"].is_null()) want["reduction"] = "none";  // Python's None
    CHECK(full->get_config() == want);
  }
}
