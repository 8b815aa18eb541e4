// Callbacks inside fit, evaluate and predict: Keras's hook order, stop_training, the batch
// logs read only when asked, validation_freq, steps_per_epoch, validation_batch_size,
// TerminateOnNaN, EarlyStopping's restored weights, and training on a PyDataset or a generator.

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "strata/callbacks/early_stopping.hpp"
#include "strata/callbacks/lambda_callback.hpp"
#include "strata/callbacks/model_checkpoint.hpp"
#include "strata/callbacks/reduce_lr_on_plateau.hpp"
#include "strata/callbacks/terminate_on_nan.hpp"
#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/model_checks.hpp"
#include "support/temp_dir.hpp"

using namespace strata;
using strata::testing::random_array;
using strata::testing::TempDir;

namespace {

// Records every hook as Keras's HookRecorder in the golden script does.
struct Recorder : Callback {
  std::vector<std::string> calls;
  void on_train_begin(Logs&) override { calls.push_back("on_train_begin"); }
  void on_train_end(Logs&) override { calls.push_back("on_train_end"); }
  void on_epoch_begin(int e, Logs&) override { calls.push_back("on_epoch_begin " + std::to_string(e)); }
  void on_epoch_end(int e, Logs&) override { calls.push_back("on_epoch_end " + std::to_string(e)); }
  void on_train_batch_begin(int b, const Logs&) override {
    calls.push_back("on_train_batch_begin " + std::to_string(b));
  }
  void on_train_batch_end(int b, const Logs&) override { calls.push_back("on_train_batch_end " + std::to_string(b)); }
  void on_test_begin(Logs&) override { calls.push_back("on_test_begin"); }
  void on_test_end(Logs&) override { calls.push_back("on_test_end"); }
  void on_test_batch_begin(int b, const Logs&) override { calls.push_back("on_test_batch_begin " + std::to_string(b)); }
  void on_test_batch_end(int b, const Logs&) override { calls.push_back("on_test_batch_end " + std::to_string(b)); }
  void on_predict_begin(Logs&) override { calls.push_back("on_predict_begin"); }
  void on_predict_end(Logs&) override { calls.push_back("on_predict_end"); }
  void on_predict_batch_begin(int b, const Logs&) override {
    calls.push_back("on_predict_batch_begin " + std::to_string(b));
  }
  void on_predict_batch_end(int b, const Logs&) override {
    calls.push_back("on_predict_batch_end " + std::to_string(b));
  }
  int count(const std::string& prefix) const {
    return int(std::count_if(calls.begin(), calls.end(), [&](const std::string& c) { return c.starts_with(prefix); }));
  }
};

std::shared_ptr<Sequential> classifier() {
  auto model = std::make_shared<Sequential>(
      std::initializer_list<SequentialItem>{Input({4}), Dense(8, "relu"), Dense(3, "softmax")});
  model->compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

xt::xarray<float> labels(std::size_t n) {
  xt::xarray<float> y = xt::zeros<float>({n});
  for (std::size_t i = 0; i < n; ++i) y(i) = float(i % 3);
  return y;
}

}  // namespace

TEST_CASE("fit calls the hooks in Keras's order", "[callbacks][golden]") {
  auto model = classifier();
  const xt::xarray<float> x = xt::zeros<float>({12, 4});
  const xt::xarray<float> y = xt::zeros<float>({12});
  const xt::xarray<float> xv = xt::zeros<float>({8, 4});
  const xt::xarray<float> yv = xt::zeros<float>({8});
  auto recorder = std::make_shared<Recorder>();
  model->fit(x, y,
             {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = recorder, .validation_data = std::pair{xv, yv}});
  CHECK(recorder->calls == testing::golden_file("callbacks.json")["hooks"].get<std::vector<std::string>>());

  recorder->calls.clear();
  model->evaluate(x, y, {.batch_size = 5, .verbose = 0, .callbacks = recorder});
  CHECK(recorder->calls == std::vector<std::string>{"on_test_begin", "on_test_batch_begin 0", "on_test_batch_end 0",
                                                    "on_test_batch_begin 1", "on_test_batch_end 1",
                                                    "on_test_batch_begin 2", "on_test_batch_end 2", "on_test_end"});
  recorder->calls.clear();
  model->predict(x, {.batch_size = 6, .verbose = 0, .callbacks = recorder});
  CHECK(recorder->calls == std::vector<std::string>{"on_predict_begin", "on_predict_batch_begin 0",
                                                    "on_predict_batch_end 0", "on_predict_batch_begin 1",
                                                    "on_predict_batch_end 1", "on_predict_end"});
}

TEST_CASE("stop_training set in a batch hook ends fit after that batch", "[callbacks]") {
  auto model = classifier();
  const auto x = random_array({20, 4}, 1);
  const auto y = labels(20);
  int batches = 0;
  callbacks::LambdaCallback stop({.on_train_batch_end = [&](int batch, const Logs& logs) {
    ++batches;
    CHECK(logs.contains("loss"));  // a lambda on batch ends gets fresh logs
    if (batch == 1) model->stop_training = true;
  }});
  const History history = model->fit(x, y, {.batch_size = 4, .epochs = 5, .verbose = 0, .callbacks = stop});
  CHECK(batches == 2);
  CHECK(history.epoch == std::vector<int>{0});
}

TEST_CASE("batch logs are read only for callbacks that use them", "[callbacks]") {
  // A callback without batch hooks is told stale (here: never filled) logs; one that
  // overrides on_train_batch_end gets fresh ones every batch.
  struct EpochsOnly : Callback {
    int epochs = 0;
    void on_epoch_end(int, Logs& logs) override {
      ++epochs;
      CHECK(logs.contains("loss"));
    }
  };
  struct Batches : Callback {
    std::vector<double> losses;
    void on_train_batch_end(int, const Logs& logs) override { losses.push_back(logs.at("loss")); }
  };
  auto epochs_only = std::make_shared<EpochsOnly>();
  auto batches = std::make_shared<Batches>();
  auto model = classifier();
  model->fit(random_array({16, 4}, 2), labels(16),
             {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = {epochs_only, batches}});
  CHECK(epochs_only->epochs == 2);
  REQUIRE(batches->losses.size() == 8);
  for (double loss : batches->losses) CHECK(std::isfinite(loss));
  CHECK_FALSE(epochs_only->wants_batch_logs(CallbackMode::Train, 3, false));
  CHECK(batches->wants_batch_logs(CallbackMode::Train, 3, false));
}

TEST_CASE("validation_freq validates after every n-th epoch", "[callbacks]") {
  auto model = classifier();
  const History history = model->fit(random_array({20, 4}, 3), labels(20),
                                     {.epochs = 5, .verbose = 0, .validation_split = 0.2, .validation_freq = 2});
  CHECK(history.history.at("loss").size() == 5);
  CHECK(history.history.at("val_loss").size() == 2);
}

TEST_CASE("steps_per_epoch walks the shuffled passes as Keras's EpochIterator", "[callbacks]") {
  // 10 samples at batch 2 are 5 batches a pass: epochs of 2 take 2, 2, then the last 1, and
  // the fourth starts a new pass.
  auto model = classifier();
  std::vector<int> per_epoch;
  int batches = 0;
  callbacks::LambdaCallback count({.on_epoch_begin = [&](int, Logs&) { batches = 0; },
                                   .on_epoch_end = [&](int, Logs&) { per_epoch.push_back(batches); },
                                   .on_train_batch_begin = [&](int, const Logs&) { ++batches; }});
  model->fit(random_array({10, 4}, 4), labels(10),
             {.batch_size = 2, .epochs = 4, .verbose = 0, .callbacks = count, .steps_per_epoch = 2});
  CHECK(per_epoch == std::vector<int>{2, 2, 1, 2});
}

TEST_CASE("validation_batch_size and validation_steps size the validation", "[callbacks]") {
  auto model = classifier();
  auto recorder = std::make_shared<Recorder>();
  model->fit(random_array({20, 4}, 5), labels(20),
             {.batch_size = 4,
              .verbose = 0,
              .callbacks = recorder,
              .validation_data = std::pair{random_array({8, 4}, 6), labels(8)},
              .validation_batch_size = 3});
  CHECK(recorder->count("on_test_batch_end") == 3);
  recorder->calls.clear();
  model->fit(random_array({20, 4}, 5), labels(20),
             {.batch_size = 4,
              .verbose = 0,
              .callbacks = recorder,
              .validation_data = std::pair{random_array({8, 4}, 6), labels(8)},
              .validation_steps = 1});
  CHECK(recorder->count("on_test_batch_end") == 1);
}

TEST_CASE("a NaN loss shows in the logs; TerminateOnNaN stops or raises", "[callbacks]") {
  auto x = random_array({16, 4}, 7);
  x(5, 2) = std::nanf("");  // batch 1 of 4
  const auto y = labels(16);
  {
    auto model = classifier();
    const History history = model->fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0});
    CHECK(history.epoch.size() == 2);
    CHECK(std::isnan(history.history.at("loss").back()));
  }
  {
    auto model = classifier();
    std::ostringstream captured;
    auto* old = std::cout.rdbuf(captured.rdbuf());
    const History history = model->fit(
        x, y, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = callbacks::TerminateOnNaN(), .shuffle = false});
    std::cout.rdbuf(old);
    CHECK(captured.str() == "Batch 1: Invalid loss, terminating training\n");
    CHECK(history.epoch == std::vector<int>{0});
    CHECK(std::isnan(history.history.at("loss")[0]));
  }
  {
    auto model = classifier();
    CHECK_THROWS_AS(
        model->fit(x, y,
                   {.batch_size = 4, .verbose = 0, .callbacks = callbacks::TerminateOnNaN(true), .shuffle = false}),
        RuntimeError);
    auto fresh = classifier();
    CHECK_THROWS_WITH(
        fresh->fit(x, y,
                   {.batch_size = 4, .verbose = 0, .callbacks = callbacks::TerminateOnNaN(true), .shuffle = false}),
        "NaN or Inf loss encountered at batch 1. Loss value: nan. Terminating training immediately.");
  }
}

TEST_CASE("EarlyStopping in fit restores the weights of the best epoch", "[callbacks]") {
  auto model = classifier();
  std::vector<std::vector<xt::xarray<float>>> weights_per_epoch;
  callbacks::LambdaCallback keep(
      {.on_epoch_end = [&](int, Logs&) { weights_per_epoch.push_back(model->get_weights()); }});
  // Watching the training loss with mode "max": it falls, so the first epoch stays the best
  // and patience 2 stops training after the third.
  callbacks::EarlyStopping stop({.monitor = "loss", .patience = 2, .mode = "max", .restore_best_weights = true});
  const History history = model->fit(random_array({24, 4}, 8), labels(24),
                                     {.batch_size = 8, .epochs = 40, .verbose = 0, .callbacks = {keep, stop}});
  REQUIRE(history.epoch == std::vector<int>{0, 1, 2});
  CHECK(stop.best_epoch() == 0);
  CHECK(stop.stopped_epoch() == 2);
  const auto restored = model->get_weights();
  for (std::size_t i = 0; i < restored.size(); ++i) {
    const bool same = restored[i] == weights_per_epoch[0][i];
    CHECK(same);
  }
}

TEST_CASE("ReduceLROnPlateau's learning_rate joins the History", "[callbacks]") {
  auto model = classifier();
  const History history =
      model->fit(random_array({8, 4}, 9), labels(8),
                 {.epochs = 3, .verbose = 0, .callbacks = callbacks::ReduceLROnPlateau({.monitor = "loss"})});
  REQUIRE(history.history.contains("learning_rate"));
  CHECK(history.history.at("learning_rate").size() == 3);
}

TEST_CASE("ModelCheckpoint in fit writes loadable files named from the logs", "[callbacks]") {
  TempDir dir("strata-fit-checkpoint");
  auto model = classifier();
  model->fit(random_array({12, 4}, 10), labels(12),
             {.epochs = 2,
              .verbose = 0,
              .callbacks = callbacks::ModelCheckpoint(dir / "m-{epoch:02d}-{loss:.1f}.keras", {.monitor = "loss"}),
              .validation_split = 0.25});
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) files.push_back(entry.path().string());
  REQUIRE(files.size() == 2);
  std::sort(files.begin(), files.end());
  auto loaded = load_model(files.back());
  const xt::xarray<float> from_file = loaded->predict(random_array({3, 4}, 11), {.verbose = 0});
  const xt::xarray<float> from_model = model->predict(random_array({3, 4}, 11), {.verbose = 0});
  CHECK(from_file == from_model);
  CHECK_THROWS_WITH(model->fit(random_array({12, 4}, 10), labels(12),
                               {.verbose = 0, .callbacks = callbacks::ModelCheckpoint(dir / "x-{nope}.keras")}),
                    Catch::Contains("Failed to format this callback filepath") && Catch::Contains("'nope'"));
}

namespace {

// Five batches of four samples of the arrays it holds; counts on_epoch_end.
struct Batches : PyDataset {
  xt::xarray<float> x, y;
  int epochs_ended = 0;
  explicit Batches(PyDatasetOptions options = {}) : PyDataset(options), x(random_array({20, 4}, 12)), y(labels(20)) {}
  std::int64_t size() const override { return 5; }
  Batch get(std::int64_t i) override {
    const auto first = static_cast<std::size_t>(i) * 4;
    return {{xt::xarray<float>(xt::view(x, xt::range(first, first + 4), xt::all()))},
            {xt::xarray<float>(xt::view(y, xt::range(first, first + 4)))},
            {}};
  }
  void on_epoch_end() override { ++epochs_ended; }
};

}  // namespace

TEST_CASE("fit, evaluate and predict take a PyDataset", "[callbacks][data]") {
  Batches data;
  auto model = classifier();
  const History history = model->fit(data, {.epochs = 3, .verbose = 0});
  CHECK(history.params.at("steps") == 5);
  CHECK(data.epochs_ended == 3);
  const Logs from_dataset = model->evaluate(data, {.verbose = 0});
  const Logs from_arrays = model->evaluate(data.x, data.y, {.batch_size = 4, .verbose = 0});
  CHECK(from_dataset.at("loss") == Approx(from_arrays.at("loss")).epsilon(1e-6));
  const xt::xarray<float> from_data = model->predict(data, {.verbose = 0});
  const xt::xarray<float> from_x = model->predict(data.x, {.batch_size = 4, .verbose = 0});
  CHECK(from_data == from_x);
}

TEST_CASE("fit takes a generator, cut into epochs by steps_per_epoch", "[callbacks][data]") {
  const auto x = random_array({4, 4}, 13);
  const auto y = labels(4);
  int made = 0;
  const BatchGenerator endless = [&]() -> std::optional<Batch> {
    ++made;
    return Batch{{x}, {y}, {}};
  };
  auto model = classifier();
  const History history = model->fit(endless, {.epochs = 3, .verbose = 0, .steps_per_epoch = 2});
  CHECK(history.epoch.size() == 3);
  CHECK(made >= 6);
  int left = 3;
  const BatchGenerator three = [&]() -> std::optional<Batch> {
    if (left == 0) return std::nullopt;
    --left;
    return Batch{{x}, {y}, {}};
  };
  auto recorder = std::make_shared<Recorder>();
  const History once = model->fit(three, {.epochs = 2, .verbose = 0, .callbacks = recorder});
  CHECK(recorder->count("on_train_batch_end") == 3);
  CHECK(once.epoch == std::vector<int>{0});  // the second epoch finds the generator dry
}
