// Trains a small classifier for a few epochs with the TensorBoard callback (histograms every
// epoch, scalars every batch, validation) into <out>/logs, and writes what TensorBoard should
// find there to <out>/expected.json: the History, each batch's logs by global step, the final
// weights by Keras's path, and the model's JSON. tests/tensorboard/check_event_files.py then
// reads the event files with TensorBoard's own reader and compares (the ctest
// tensorboard.reads_strata_event_files).
//
//     strata_write_event_files <out>

#include <cmath>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "strata/strata.hpp"

using namespace strata;

namespace {

// Records the batch logs TensorBoard writes, by the global step it writes them at.
struct BatchRecorder : Callback {
  nlohmann::json batches = nlohmann::json::object();
  std::int64_t seen = 0;
  void on_train_batch_end(int, const Logs& logs) override {
    ++seen;
    nlohmann::json entry;
    for (const auto& [key, value] : logs) entry[key] = value;
    batches[std::to_string(seen)] = entry;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: strata_write_event_files <out>\n";
    return 2;
  }
  const std::string out = argv[1];
  set_random_seed(3);
  const std::size_t n = 60, n_val = 20;
  xt::xarray<float> x = xt::zeros<float>({n + n_val, std::size_t(4)});
  xt::xarray<float> y = xt::zeros<float>({n + n_val});
  for (std::size_t i = 0; i < n + n_val; ++i) {
    for (std::size_t j = 0; j < 4; ++j) x(i, j) = std::sin(0.37f * float(i * 4 + j));
    y(i) = float((x(i, 0) + x(i, 1) > 0) + (x(i, 2) > 0.5f));
  }
  const xt::xarray<float> x_train = xt::view(x, xt::range(0, n)), y_train = xt::view(y, xt::range(0, n));
  const xt::xarray<float> x_val = xt::view(x, xt::range(n, n + n_val)), y_val = xt::view(y, xt::range(n, n + n_val));

  Sequential model({Input({4}), Dense(16, "relu", {.name = "hidden"}), Dense(3, "softmax", {.name = "classes"})},
                   "classifier");
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  callbacks::TensorBoard tensorboard({.log_dir = out + "/logs", .histogram_freq = 1, .update_freq = "batch"});
  BatchRecorder recorder;
  const History history = model.fit(x_train, y_train,
                                    {.batch_size = 16,
                                     .epochs = 10,
                                     .verbose = 0,
                                     .callbacks = {tensorboard, recorder},
                                     .validation_data = std::pair{x_val, y_val},
                                     .shuffle = false});

  nlohmann::json expected;
  expected["history"] = nlohmann::json::parse(history.to_json());
  expected["batches"] = recorder.batches;
  expected["steps_per_epoch"] = history.params.at("steps");
  expected["learning_rate"] = model.optimizer().learning_rate();
  expected["model_json"] = model.to_json();
  nlohmann::json weights = nlohmann::json::object();
  const auto values = model.get_weights();
  std::size_t i = 0;
  for (Layer* layer : model.layers())
    for (const Variable* variable : layer->weights()) {
      const auto& w = values.at(i++);
      weights["classifier/" + variable->path] = std::vector<float>(w.begin(), w.end());
    }
  expected["weights"] = weights;
  std::ofstream(out + "/expected.json") << expected.dump(1) << '\n';
  std::cout << "wrote " << out << "/logs and " << out << "/expected.json\n";
  return 0;
}
