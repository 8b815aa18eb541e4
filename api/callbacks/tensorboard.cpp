#include "strata/callbacks/tensorboard.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <string_view>

#include "api/tensorboard/event_file_writer.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"
#include "strata/tensor_host.hpp"

namespace strata::callbacks {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Keras's variable paths: a variable is named inside the name scopes open when it was created.
// A Sequential or subclassed model builds its layers inside its own scope ("sequential/dense/
// kernel"), a Functional model's layers are built when called on Input tensors, outside any
// ("dense/kernel"), and a nested model or composite layer builds its sublayers in its scope.
void collect_paths(const Layer& layer, const std::string& scope, std::map<const Variable*, std::string>& paths) {
  for (const auto& variable : layer.own_variables()) paths.emplace(variable.get(), scope + variable->path);
  const auto* model = dynamic_cast<const Model*>(&layer);
  const std::string inner = model != nullptr && model->class_name() == "Functional" ? "" : scope + layer.name() + "/";
  for (const Layer* sublayer : layer.sublayers()) collect_paths(*sublayer, inner, paths);
}

}  // namespace

UpdateFreq::UpdateFreq(const char* name) {
  const std::string_view text = name == nullptr ? "" : name;
  STRATA_CHECK(text == "epoch" || text == "batch", ValueError,
               "update_freq must be \"epoch\", \"batch\" or a positive number of batches. Received: update_freq=\"",
               text, "\"");
  batches_ = text == "batch" ? 1 : 0;
}

UpdateFreq::UpdateFreq(int batches) : batches_(batches) {
  STRATA_CHECK(
      batches > 0, ValueError,
      "update_freq must be \"epoch\", \"batch\" or a positive number of batches. Received: update_freq=", batches);
}

TensorBoard::TensorBoard(Options options) : options_(std::move(options)) {
  STRATA_CHECK(options_.histogram_freq >= 0, ValueError,
               "histogram_freq must be 0 (no histograms) or a positive number of epochs. Received: histogram_freq=",
               options_.histogram_freq);
  STRATA_CHECK(!options_.log_dir.empty(), ValueError,
               "TensorBoard: log_dir must name a directory (Keras's default is \"logs\")");
}

TensorBoard::~TensorBoard() = default;

TensorBoard::TensorBoard(TensorBoard&& other) noexcept = default;

detail::EventFileWriter& TensorBoard::validation_writer() {
  // Made at the first validation logs, as Keras does, so a fit without validation leaves no
  // empty validation run.
  if (!validation_writer_)
    validation_writer_ =
        std::make_unique<detail::EventFileWriter>((std::filesystem::path(options_.log_dir) / "validation").string());
  return *validation_writer_;
}

void TensorBoard::on_train_begin(Logs&) {
  epoch_first_batch_ = 0;
  batches_seen_ = 0;
  train_writer_ =
      std::make_unique<detail::EventFileWriter>((std::filesystem::path(options_.log_dir) / "train").string());
  validation_writer_.reset();
  const Model& model = this->model();
  if (options_.write_graph && (model.class_name() == "Functional" || model.class_name() == "Sequential")) {
    // Keras skips the graph with a warning when the model cannot be serialized; so does Strata.
    try {
      train_writer_->keras_model("keras", model.to_json(), 0);
    } catch (const Error& error) {
      std::cerr << "TensorBoard: the model's graph is not written: " << error.what() << '\n';
    }
    train_writer_->flush();
  }
}

void TensorBoard::on_train_end(Logs&) {
  // Both writers close even when the first fails; the first failure is reported.
  std::unique_ptr<detail::EventFileWriter> train = std::move(train_writer_);
  std::unique_ptr<detail::EventFileWriter> validation = std::move(validation_writer_);
  if (train) train->close();
  if (validation) validation->close();
}

void TensorBoard::on_epoch_begin(int, Logs&) {
  epoch_first_batch_ = batches_seen_;
  if (options_.write_steps_per_second) {
    epoch_start_seconds_ = now_seconds();
    epoch_start_iterations_ = model().compiled() ? model().optimizer().iterations() : 0;
  }
}

void TensorBoard::on_epoch_end(int epoch, Logs& logs) {
  STRATA_CHECK(train_writer_ != nullptr, StateError, "TensorBoard: on_epoch_end ran before on_train_begin");
  Logs train, validation;
  for (const auto& [key, value] : logs) {
    if (key.starts_with("val_"))
      validation[key.substr(4)] = value;
    else
      train[key] = value;
  }
  const Model& model = this->model();
  if (model.compiled()) {
    train["learning_rate"] = model.optimizer().learning_rate();
    if (options_.write_steps_per_second)
      train["steps_per_second"] =
          double(model.optimizer().iterations() - epoch_start_iterations_) / (now_seconds() - epoch_start_seconds_);
  }
  for (const auto& [key, value] : train) train_writer_->scalar("epoch_" + key, value, epoch);
  if (options_.histogram_freq > 0 && epoch % options_.histogram_freq == 0) write_weight_histograms(epoch);
  train_writer_->flush();
  if (!validation.empty()) {
    auto& writer = validation_writer();
    for (const auto& [key, value] : validation) writer.scalar("epoch_" + key, value, epoch);
    writer.flush();
  }
}

void TensorBoard::write_weight_histograms(int epoch) {
  Model& model = this->model();
  std::map<const Variable*, std::string> paths;
  collect_paths(model, "", paths);
  // Keras's loop: each of the model's layers, each of its weights (a nested model's included).
  for (Layer* layer : model.layers()) {
    for (const Variable* variable : layer->weights()) {
      const xt::xarray<float> values = to_host(variable->value);
      std::string tag = paths.at(variable);
      for (char& c : tag)
        if (c == ':') c = '_';
      train_writer_->histogram(tag + "/histogram", {values.data(), values.size()}, epoch);
    }
  }
}

void TensorBoard::on_train_batch_begin(int, const Logs&) {
  ++batches_seen_;
  if (options_.write_steps_per_second) batch_start_seconds_ = now_seconds();
}

bool TensorBoard::wants_batch_logs(CallbackMode mode, int batch, bool) const {
  return mode == CallbackMode::Train && options_.update_freq.per_batch() &&
         global_batch(batch) % options_.update_freq.batches() == 0;
}

void TensorBoard::on_train_batch_end(int batch, const Logs& logs) {
  if (!wants_batch_logs(CallbackMode::Train, batch, false)) return;
  STRATA_CHECK(train_writer_ != nullptr, StateError, "TensorBoard: on_train_batch_end ran before on_train_begin");
  const std::int64_t step = global_batch(batch);
  if (options_.write_steps_per_second)
    train_writer_->scalar("batch_steps_per_second", 1.0 / (now_seconds() - batch_start_seconds_), step);
  for (const auto& [key, value] : logs) train_writer_->scalar("batch_" + key, value, step);
}

void TensorBoard::on_test_end(Logs& logs) {
  const Model& model = this->model();
  if (!model.compiled() || logs.empty()) return;
  auto& writer = validation_writer();
  const std::int64_t iterations = model.optimizer().iterations();
  for (const auto& [key, value] : logs) writer.scalar("evaluation_" + key + "_vs_iterations", value, iterations);
  writer.flush();
}

}  // namespace strata::callbacks
