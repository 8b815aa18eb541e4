#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <xtensor/xrandom.hpp>
#include <xtensor/xview.hpp>

#include "strata/strata.hpp"

using namespace strata;

namespace {

// Two Gaussian blobs per class in 4-D, separable enough that a small MLP reaches ~100%.
struct Blobs {
  xt::xarray<float> x;
  xt::xarray<float> y;
};

Blobs make_blobs(std::size_t n, std::size_t classes, std::uint64_t seed) {
  xt::random::seed(seed);
  Blobs b{xt::xarray<float>::from_shape({n, 4}), xt::xarray<float>::from_shape({n})};
  const xt::xarray<float> noise = xt::random::randn<float>({n, std::size_t(4)}, 0.f, 0.3f);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t label = i % classes;
    b.y(i) = float(label);
    for (std::size_t j = 0; j < 4; ++j)
      b.x(i, j) = (j == label % 4 ? 2.f : 0.f) + (label >= 4 ? -1.f : 0.f) + noise(i, j);
  }
  return b;
}

Sequential small_classifier() { return Sequential({Input({4}), Dense(16, "relu"), Dense(3, "softmax")}); }

}  // namespace

TEST_CASE("Sequential builds from an Input and counts Keras's parameters", "[models][sequential]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax")});
  CHECK(model.built());
  CHECK(model.layers().size() == 4);
  CHECK(model.count_params() == 101770);
  CHECK(model.output_shape() == Shape{kNone, 10});
  std::ostringstream summary;
  model.summary(summary);
  CHECK_THAT(summary.str(), Catch::Contains("Total params: 101,770 (397.54 KB)"));
  CHECK_THAT(summary.str(), Catch::Contains("(None, 128)"));
}

TEST_CASE("Sequential without an Input builds on the first data", "[models][sequential]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model({Dense(8, "relu"), Dense(3, "softmax")});
  CHECK_FALSE(model.built());
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const Blobs data = make_blobs(60, 3, 1);
  model.fit(data.x, data.y, {.epochs = 1, .verbose = 0});
  CHECK(model.built());
  CHECK(model.input_shape() == Shape{kNone, 4});
  CHECK(model.count_params() == 4 * 8 + 8 + 8 * 3 + 3);
}

TEST_CASE("fit learns separable data and returns Keras's History", "[models][fit]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(5);
  Sequential model = small_classifier();
  model.compile(optimizers::Adam(0.02), "sparse_categorical_crossentropy", {"accuracy"});
  const Blobs data = make_blobs(300, 3, 2);
  const History history =
      model.fit(data.x, data.y, {.batch_size = 16, .epochs = 8, .verbose = 0, .validation_split = 0.2});
  REQUIRE(history.epoch.size() == 8);
  for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy"}) REQUIRE(history.history.at(key).size() == 8);
  CHECK(history.history.at("loss").back() < history.history.at("loss").front());
  CHECK(history.history.at("val_accuracy").back() > 0.95);
  CHECK(history.params.at("steps") == 15);  // 240 training samples in batches of 16

  const Logs logs = model.evaluate(data.x, data.y, {.verbose = 0});
  CHECK(logs.at("accuracy") > 0.95);
  const xt::xarray<float> p = model.predict(data.x, {.verbose = 0});
  REQUIRE(p.shape() == std::vector<std::size_t>{300, 3});
  CHECK(std::abs(xt::sum(xt::view(p, 0, xt::all()))() - 1.f) < 1e-5f);
}

TEST_CASE("initial_epoch continues the epoch count as Keras does", "[models][fit]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model = small_classifier();
  model.compile("sgd", "sparse_categorical_crossentropy");
  const Blobs data = make_blobs(30, 3, 3);
  const History history = model.fit(data.x, data.y, {.epochs = 5, .verbose = 0, .initial_epoch = 3});
  CHECK(history.epoch == std::vector<int>{3, 4});
  CHECK(history.history.count("accuracy") == 0);
}

TEST_CASE("a seed makes training repeat exactly", "[models][seed]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Blobs data = make_blobs(64, 3, 4);
  std::vector<std::vector<xt::xarray<float>>> runs;
  for (int run = 0; run < 2; ++run) {
    set_random_seed(123);
    Sequential model({Input({4}), Dense(8, "relu"), Dropout(0.3), Dense(3, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy");
    model.fit(data.x, data.y, {.batch_size = 8, .epochs = 2, .verbose = 0});
    runs.push_back(model.get_weights());
  }
  REQUIRE(runs[0].size() == runs[1].size());
  for (std::size_t i = 0; i < runs[0].size(); ++i) CHECK(bool(runs[0][i] == runs[1][i]));
}

TEST_CASE("cpu and reference backends train the same model alike", "[models][parity]") {
  const Blobs data = make_blobs(64, 3, 6);
  std::vector<std::vector<xt::xarray<float>>> results;
  for (const auto& name : available_backends()) {
    set_backend(name);
    set_random_seed(77);
    Sequential model({Input({4}), Dense(8, "tanh"), Dropout(0.2), Dense(3, "softmax")});
    model.compile("adam", "sparse_categorical_crossentropy");
    model.fit(data.x, data.y, {.batch_size = 16, .epochs = 2, .verbose = 0});
    results.push_back(model.get_weights());
  }
  for (std::size_t b = 1; b < results.size(); ++b)
    for (std::size_t i = 0; i < results[0].size(); ++i)
      CHECK(bool(xt::allclose(results[b][i], results[0][i], 1e-3, 1e-4)));
}

TEST_CASE("get_weights and set_weights round-trip and check shapes", "[models][weights]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential a = small_classifier();
  Sequential b = small_classifier();
  b.set_weights(a.get_weights());
  const Blobs data = make_blobs(10, 3, 7);
  CHECK(bool(a.predict(data.x, {.verbose = 0}) == b.predict(data.x, {.verbose = 0})));
  auto weights = a.get_weights();
  weights.pop_back();
  CHECK_THROWS_WITH(b.set_weights(weights),
                    Catch::Contains("with a weight list of length 3, but the model was expecting 4"));
  weights = a.get_weights();
  weights[0] = xt::zeros<float>({5, 16});
  CHECK_THROWS_WITH(b.set_weights(weights),
                    Catch::Contains("has shape (4, 16) but set_weights received a value of shape (5, 16)"));
}

TEST_CASE("train_on_batch, test_on_batch and predict_on_batch work on one batch", "[models][batch]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(8);
  Sequential model = small_classifier();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const Blobs data = make_blobs(32, 3, 9);
  const double before = model.test_on_batch(data.x, data.y).at("loss");
  for (int i = 0; i < 20; ++i) model.train_on_batch(data.x, data.y);
  const Logs after = model.test_on_batch(data.x, data.y);
  CHECK(after.at("loss") < before);
  CHECK(after.count("accuracy") == 1);
  CHECK(model.optimizer().iterations() == 20);
  CHECK(bool(model.predict_on_batch(data.x) == model.predict(data.x, {.verbose = 0})));
}

TEST_CASE("errors are reported before any work, in Keras's words", "[models][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model({Input({28, 28}), Flatten(), Dense(10, "softmax")}, "probe");
  const xt::xarray<float> x = xt::zeros<float>({4, 28, 28});
  const xt::xarray<float> y = {0, 1, 2, 3};

  CHECK_THROWS_WITH(model.fit(x, y, {.verbose = 0}), "You must call `compile()` before using the model.");
  CHECK_THROWS_AS(model.evaluate(x, y, {.verbose = 0}), StateError);

  CHECK_THROWS_WITH(model.compile("adamm", "mse"), Catch::Contains("adamm") && Catch::Contains("adam"));
  CHECK_THROWS_WITH(model.compile("adam", "mean_squared_errr"),
                    Catch::Contains("mean_squared_errr") && Catch::Contains("sparse_categorical_crossentropy"));
  CHECK_THROWS_WITH(model.compile("adam", "mse", {"accuracyy"}),
                    Catch::Contains("accuracyy") && Catch::Contains("accuracy"));

  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  CHECK_THROWS_WITH(model.fit(xt::zeros<float>({4, 784}), y, {.verbose = 0}),
                    "Input 0 of layer \"probe\" is incompatible with the layer: expected shape=(None, 28, 28), "
                    "found shape=(4, 784)");
  CHECK_THROWS_WITH(model.fit(x, xt::xarray<float>{0, 1, 2}, {.verbose = 0}),
                    Catch::Contains("Data cardinality is ambiguous") && Catch::Contains("'x' sizes: 4, 'y' sizes: 3"));
  CHECK_THROWS_WITH(model.fit(x, xt::xarray<float>{0, 1, 12, 3}, {.verbose = 0}),
                    "Received a label value of 12 which is outside the valid range of [0, 10) (sample 2)");
  CHECK_THROWS_WITH(model.evaluate(x, xt::xarray<float>{0, 1, 2, -1}, {.verbose = 0}),
                    Catch::Contains("label value of -1"));
  CHECK_THROWS_AS(model.fit(x, y, {.batch_size = -1, .verbose = 0}), ValueError);
}

TEST_CASE("a NaN loss shows in fit's logs; TerminateOnNaN names the batch", "[models][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model({Input({2}), Dense(1)});
  model.compile("sgd", "mse");
  xt::xarray<float> x = xt::ones<float>({8, 2});
  const xt::xarray<float> y = xt::zeros<float>({8, 1});
  x(5, 1) = std::numeric_limits<float>::quiet_NaN();
  // As Keras, fit checks nothing by itself: the nan is in the History (and on the bar).
  const History history = model.fit(x, y, {.batch_size = 2, .verbose = 0, .shuffle = false});
  CHECK(std::isnan(history.history.at("loss")[0]));
  // Batches count from 0: the NaN is in batch 2 (a fresh model: this one's weights are NaN now).
  Sequential fresh({Input({2}), Dense(1)});
  fresh.compile("sgd", "mse");
  CHECK_THROWS_WITH(
      fresh.fit(x, y, {.batch_size = 2, .verbose = 0, .callbacks = callbacks::TerminateOnNaN(true), .shuffle = false}),
      Catch::Contains("NaN or Inf loss encountered at batch 2"));
}
