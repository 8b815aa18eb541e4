// What data-parallel training builds on, checked in one process (the runs under mpirun are
// tests/distributed/check.sh): the group of one, the tape's report of complete weight
// gradients, metric states that add up across processes, and BatchNormalization's
// `synchronized` option.

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "api/engine/engine_state.hpp"
#include "api/engine/tape.hpp"
#include "strata/strata.hpp"
#include "support/backend_checks.hpp"

using namespace strata;

namespace {

// Records which layers the tape reports, and each one's gradients at that moment.
struct Recorder : detail::GradientObserver {
  std::vector<std::string> layers;
  std::map<std::string, std::vector<std::vector<float>>> grads;
  void gradients_ready(Layer& layer) override {
    layers.push_back(layer.name());
    for (const auto& v : layer.own_variables()) grads[layer.name()].push_back(testing::host(v->grad));
  }
};

}  // namespace

TEST_CASE("a plain process trains as a group of one", "[distributed]") {
  distributed::init();
  distributed::init();  // later calls do nothing
  CHECK(distributed::size() == 1);
  CHECK(distributed::rank() == 0);
  CHECK(distributed::is_primary());
}

TEST_CASE("the tape reports each layer's weight gradients once, when they are complete", "[distributed]") {
  Backend& backend = current_backend();
  Dense first(4, "relu", {.name = "first"}), shared(4, "tanh", {.name = "shared"}), last(2, "linear", {.name = "last"});
  const Tensor x = from_host(backend, xt::xarray<float>{{0.5f, -1.f, 2.f}, {1.f, 0.25f, -0.5f}});
  detail::Tape tape;
  Recorder recorder;
  tape.set_observer(&recorder);
  Tensor y;
  {
    const detail::EngineScope scope({.tape = &tape, .training = true, .caller = nullptr});
    tape.begin();
    // `shared` is called twice: its gradient is complete only after backward passes its first call.
    y = last(shared(shared(first(x))));
    const Tensor dy = from_host(backend, xt::xarray<float>{{1.f, -2.f}, {0.5f, 1.f}});
    tape.backward(std::span<const Tensor>(&y, 1), std::span<const Tensor>(&dy, 1));
  }
  REQUIRE(recorder.layers == std::vector<std::string>{"last", "shared", "first"});
  // What the observer saw is the final, summed gradient of both calls.
  for (Dense* layer : {&first, &shared, &last}) {
    const auto& seen = recorder.grads.at(layer->name());
    for (std::size_t v = 0; v < layer->own_variables().size(); ++v)
      CHECK(seen[v] == testing::host(layer->own_variables()[v]->grad));
  }
}

TEST_CASE("metric states add up across processes", "[distributed]") {
  // What data-parallel logs rely on: the states of two metrics fed two halves of the data, added,
  // give the result of one metric fed all of it.
  const xt::xarray<float> labels = {0.f, 2.f, 1.f, 1.f, 0.f, 2.f, 2.f, 1.f};
  const xt::xarray<float> probs = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.3f, 0.6f}, {0.2f, 0.5f, 0.3f}, {0.6f, 0.3f, 0.1f},
                                   {0.3f, 0.4f, 0.3f}, {0.2f, 0.2f, 0.6f}, {0.5f, 0.1f, 0.4f}, {0.1f, 0.8f, 0.1f}};
  xt::xarray<float> one_hot = xt::zeros<float>({8, 3});
  for (std::size_t i = 0; i < 8; ++i) one_hot(i, static_cast<std::size_t>(labels(i))) = 1.f;
  const xt::xarray<float> binary_true = xt::view(one_hot, xt::all(), xt::range(1, 2));
  const xt::xarray<float> binary_pred = xt::view(probs, xt::all(), xt::range(1, 2));
  const xt::xarray<float> weights = {1.f, 0.5f, 2.f, 1.f, 0.f, 1.5f, 1.f, 0.25f};

  struct Case {
    std::string name;
    const xt::xarray<float>& y_true;
    const xt::xarray<float>& y_pred;
  };
  const std::vector<Case> cases = {
      {"accuracy", labels, probs},
      {"sparse_categorical_accuracy", labels, probs},
      {"categorical_accuracy", one_hot, probs},
      {"binary_accuracy", binary_true, binary_pred},
      {"mse", one_hot, probs},
      {"mae", one_hot, probs},
      {"root_mean_squared_error", one_hot, probs},
      {"cosine_similarity", one_hot, probs},
      {"top_k_categorical_accuracy", one_hot, probs},
      {"sparse_top_k_categorical_accuracy", labels, probs},
      {"precision", binary_true, binary_pred},
      {"recall", binary_true, binary_pred},
      {"auc", binary_true, binary_pred},
      {"f1_score", one_hot, probs},
      {"f_beta_score", one_hot, probs},
      {"r2_score", one_hot, probs},
  };
  const auto half = [](const xt::xarray<float>& a, int part) {
    return xt::xarray<float>(xt::view(a, xt::range(part * 4, part * 4 + 4)));
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const auto first = Metric::from_name(c.name), second = Metric::from_name(c.name), whole = Metric::from_name(c.name);
    CHECK(first->state_tensors().empty());  // nothing counted yet
    const xt::xarray<float> w0 = half(weights, 0), w1 = half(weights, 1);
    first->update_state(half(c.y_true, 0), half(c.y_pred, 0), &w0);
    second->update_state(half(c.y_true, 1), half(c.y_pred, 1), &w1);
    whole->update_state(half(c.y_true, 0), half(c.y_pred, 0), &w0);
    whole->update_state(half(c.y_true, 1), half(c.y_pred, 1), &w1);
    const std::vector<Tensor> mine = first->state_tensors(), theirs = second->state_tensors();
    REQUIRE(mine.size() == theirs.size());
    REQUIRE(!mine.empty());
    for (std::size_t i = 0; i < mine.size(); ++i) {
      Tensor sum = mine[i];
      sum.backend().add(mine[i], theirs[i], sum);
    }
    const std::vector<double> added = first->results(), expected = whole->results();
    REQUIRE(added.size() == expected.size());
    for (std::size_t i = 0; i < added.size(); ++i) CHECK(added[i] == Approx(expected[i]).margin(1e-6));
  }

  SECTION("a metric that cannot be added says so") {
    metrics::R2Score adjusted({.num_regressors = 1});
    adjusted.update_state(one_hot, probs);
    CHECK_THROWS_WITH(adjusted.state_tensors(), Catch::Contains("counts its samples on the host"));
    struct Custom : Metric {
      Custom() : Metric("custom") {}
      std::string class_name() const override { return "Custom"; }
      using Metric::update_state;
      void update_state(const Tensor&, const Tensor&, const Tensor*) override {}
      double result() const override { return 0.0; }
      void reset_state() override {}
    };
    CHECK_THROWS_WITH(Custom().state_tensors(),
                      Catch::Contains("Metric \"custom\" (Custom)") && Catch::Contains("override state_tensors()"));
  }
}

TEST_CASE("BatchNormalization's synchronized option is kept and changes nothing in one process", "[distributed]") {
  BatchNormalization plain, synchronized({.synchronized = true});
  CHECK(plain.get_config()["synchronized"] == false);
  CHECK(synchronized.get_config()["synchronized"] == true);
  const auto restored = BatchNormalization::from_config(synchronized.get_config());
  CHECK(static_cast<BatchNormalization&>(*restored).options().synchronized);

  const xt::xarray<float> x = {{1.f, -2.f}, {0.5f, 3.f}, {-1.f, 0.f}, {2.f, 1.f}};
  Backend& backend = current_backend();
  const Tensor input = from_host(backend, x);
  const xt::xarray<float> a = to_host(plain(input, true)), b = to_host(synchronized(input, true));
  const bool same = a == b;
  CHECK(same);
}
