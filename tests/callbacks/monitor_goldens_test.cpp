// The built-in callbacks against real Keras (tests/golden/make_callback_goldens.py): the same
// scripted epoch logs drive Strata's and Keras's EarlyStopping, ReduceLROnPlateau,
// ModelCheckpoint, LearningRateScheduler and CSVLogger, and every state Keras recorded after each
// epoch must match; ModelCheckpoint's path patterns format as Python's str.format does.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "api/callbacks/python_format.hpp"
#include "strata/callbacks/csv_logger.hpp"
#include "strata/callbacks/early_stopping.hpp"
#include "strata/callbacks/learning_rate_scheduler.hpp"
#include "strata/callbacks/model_checkpoint.hpp"
#include "strata/callbacks/reduce_lr_on_plateau.hpp"
#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/temp_dir.hpp"

using namespace strata;
using strata::testing::golden_file;
using strata::testing::TempDir;

namespace {

const nlohmann::json& goldens() { return golden_file("callbacks.json"); }

// The golden's model: Dense(3, softmax) on 4 features, compiled with accuracy and evaluated
// once so that its metrics exist (mode "auto" asks them for their direction).
std::shared_ptr<Sequential> small_model() {
  auto model = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{Input({4}), Dense(3, "softmax")});
  model->compile("sgd", "sparse_categorical_crossentropy", {"accuracy"});
  model->evaluate(xt::xarray<float>(xt::zeros<float>({2, 4})), xt::xarray<float>(xt::zeros<float>({2})),
                  {.verbose = 0});
  return model;
}

Logs scripted_logs(std::size_t epoch) {
  const auto& losses = goldens()["logs"]["losses"];
  const auto& accs = goldens()["logs"]["accuracies"];
  const double loss = losses[epoch].get<double>(), acc = accs[epoch].get<double>();
  return {{"loss", loss + 0.1}, {"accuracy", acc - 0.05}, {"val_loss", loss}, {"val_accuracy", acc}};
}

// Runs the epochs Keras ran, checking each with `check(epoch, logs, keras_entry)`.
template <class Check>
void drive(Callback& callback, Model& model, const nlohmann::json& keras_epochs, Check check) {
  callback.set_model(model);
  model.stop_training = false;
  Logs none;
  callback.on_train_begin(none);
  for (std::size_t epoch = 0; epoch < keras_epochs.size(); ++epoch) {
    INFO("epoch " << epoch);
    Logs begin;
    callback.on_epoch_begin(int(epoch), begin);
    Logs logs = scripted_logs(epoch);
    callback.on_epoch_end(int(epoch), logs);
    check(epoch, logs, keras_epochs[epoch]);
    CHECK(model.stop_training == keras_epochs[epoch]["stop_training"].get<bool>());
    if (model.stop_training) break;
  }
  callback.on_train_end(none);
}

std::optional<double> optional_number(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<double>();
}

}  // namespace

TEST_CASE("EarlyStopping counts patience, min_delta, modes, baselines and warm-up as Keras", "[callbacks][golden]") {
  auto model = small_model();
  for (const auto& keras : goldens()["monitor"]["early_stopping"]) {
    const auto& args = keras["args"];
    INFO(args.dump());
    callbacks::EarlyStoppingOptions options;
    options.patience = args.value("patience", 0);
    options.min_delta = args.value("min_delta", 0.0);
    options.monitor = args.value("monitor", std::string("val_loss"));
    options.mode = args.value("mode", std::string("auto"));
    if (args.contains("baseline")) options.baseline = args["baseline"].get<double>();
    options.start_from_epoch = args.value("start_from_epoch", 0);
    options.restore_best_weights = args.value("restore_best_weights", false);
    callbacks::EarlyStopping stop(options);
    drive(stop, *model, keras["epochs"], [&](std::size_t, const Logs&, const nlohmann::json& k) {
      CHECK(stop.wait() == k["wait"].get<int>());
      const auto best = optional_number(k["best"]);
      REQUIRE(stop.best().has_value() == best.has_value());
      if (best) CHECK(*stop.best() == Approx(*best).epsilon(1e-12));
      CHECK(stop.best_epoch() == k["best_epoch"].get<int>());
    });
    CHECK(stop.stopped_epoch() == keras["stopped_epoch"].get<int>());
  }
}

TEST_CASE("ReduceLROnPlateau reduces, cools down and stops at min_lr as Keras", "[callbacks][golden]") {
  auto model = small_model();
  for (const auto& keras : goldens()["monitor"]["reduce_lr"]) {
    const auto& args = keras["args"];
    INFO(args.dump());
    model->optimizer().set_learning_rate(0.1);
    callbacks::ReduceLROnPlateauOptions options;
    options.patience = args.value("patience", 10);
    options.factor = args.value("factor", 0.1);
    options.cooldown = args.value("cooldown", 0);
    options.min_lr = args.value("min_lr", 0.0);
    options.min_delta = args.value("min_delta", 1e-4);
    options.monitor = args.value("monitor", std::string("val_loss"));
    callbacks::ReduceLROnPlateau reduce(options);
    drive(reduce, *model, keras["epochs"], [&](std::size_t, const Logs& logs, const nlohmann::json& k) {
      // Keras keeps the rate in a float32 variable.
      CHECK(model->optimizer().learning_rate() == Approx(k["learning_rate"].get<double>()).epsilon(1e-6));
      CHECK(logs.at("learning_rate") == Approx(k["logged_learning_rate"].get<double>()).epsilon(1e-6));
    });
  }
}

TEST_CASE("ModelCheckpoint saves the files Keras saves, named as Keras names them", "[callbacks][golden]") {
  auto model = small_model();
  for (const auto& keras : goldens()["monitor"]["checkpoint"]) {
    const auto& args = keras["args"];
    INFO(keras["pattern"].get<std::string>() << " " << args.dump());
    TempDir dir("strata-checkpoint");
    callbacks::ModelCheckpointOptions options;
    options.save_weights_only = args.value("save_weights_only", false);
    options.save_best_only = args.value("save_best_only", false);
    options.monitor = args.value("monitor", std::string("val_loss"));
    if (args.contains("initial_value_threshold"))
      options.initial_value_threshold = args["initial_value_threshold"].get<double>();
    callbacks::ModelCheckpoint checkpoint(dir / keras["pattern"].get<std::string>(), options);
    drive(checkpoint, *model, keras["epochs"], [&](std::size_t, const Logs&, const nlohmann::json& k) {
      std::vector<std::string> files;
      for (const auto& entry : std::filesystem::directory_iterator(dir.path))
        files.push_back(entry.path().filename().string());
      std::sort(files.begin(), files.end());
      CHECK(files == k["files"].get<std::vector<std::string>>());
    });
  }
}

TEST_CASE("ModelCheckpoint refuses a path whose extension does not fit, as Keras", "[callbacks]") {
  CHECK_THROWS_WITH(callbacks::ModelCheckpoint("model.h5x"), Catch::Contains("must end in `.keras`"));
  CHECK_THROWS_WITH(callbacks::ModelCheckpoint("w.keras", {.save_weights_only = true}),
                    Catch::Contains("must end in `.weights.h5`"));
}

TEST_CASE("LearningRateScheduler sets and logs the rates Keras sets", "[callbacks][golden]") {
  auto model = small_model();
  model->optimizer().set_learning_rate(0.1);
  callbacks::LearningRateScheduler scheduler([](int epoch, double lr) {
    return epoch < 2 ? lr : epoch % 2 == 0 ? lr * 0.5 : lr + 0.01;
  });
  scheduler.set_model(*model);
  const auto& keras = goldens()["scheduler"];
  for (std::size_t epoch = 0; epoch < keras.size(); ++epoch) {
    Logs logs;
    scheduler.on_epoch_begin(int(epoch), logs);
    scheduler.on_epoch_end(int(epoch), logs);
    CHECK(logs.at("learning_rate") == Approx(keras[epoch].get<double>()).epsilon(1e-6));
  }
}

TEST_CASE("CSVLogger writes the bytes Keras writes, and appends under the old header", "[callbacks][golden]") {
  auto model = small_model();
  TempDir dir("strata-csv");
  const std::string path = dir / "log.csv";
  const auto read = [&] {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  Logs none;
  {
    callbacks::CSVLogger logger(path);
    logger.set_model(*model);
    logger.on_train_begin(none);
    Logs e0 = {{"loss", 0.5}, {"accuracy", 0.25}};
    Logs e1 = {{"loss", 0.1234567890123}, {"accuracy", 1.0 / 3.0}};
    logger.on_epoch_end(0, e0);
    logger.on_epoch_end(1, e1);
    logger.on_train_end(none);
  }
  CHECK(read() == goldens()["csv"]["first"].get<std::string>());
  {
    callbacks::CSVLogger logger(path, ';', true);
    logger.set_model(*model);
    logger.on_train_begin(none);
    Logs e2 = {{"loss", 1e-05}, {"accuracy", 0.5}, {"val_loss", 2.0}, {"val_accuracy", 0.125}};
    logger.on_epoch_end(2, e2);
    logger.on_train_end(none);
  }
  CHECK(read() == goldens()["csv"]["appended"].get<std::string>());
}

TEST_CASE("checkpoint paths format as Python's str.format", "[callbacks][golden]") {
  const auto& keras = goldens()["format"];
  std::map<std::string, detail::FormatValue> values;
  for (const auto& [key, value] : keras["values"].items())
    values[key] = {value.get<double>(), value.is_number_integer()};
  for (const auto& pair : keras["cases"]) {
    const auto pattern = pair[0].get<std::string>();
    INFO(pattern);
    CHECK(detail::python_format(pattern, values) == pair[1].get<std::string>());
  }
  CHECK_THROWS_WITH(detail::python_format("{missing}", values), "'missing'");
  CHECK_THROWS_WITH(detail::python_format("{loss:d}", values), Catch::Contains("Unknown format code 'd'"));
  CHECK_THROWS_WITH(detail::python_format("{epoch", values), Catch::Contains("Single '{'"));
}
