#include "strata/callbacks/model_checkpoint.hpp"

#include <filesystem>
#include <iostream>

#include "api/callbacks/monitor.hpp"
#include "api/callbacks/python_format.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata::callbacks {

namespace {

std::string five_decimals(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.5f", value);
  return buffer;
}

}  // namespace

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)),
      options_(std::move(options)),
      monitor_(std::make_unique<detail::Monitor>("ModelCheckpoint", options_.monitor, options_.mode, 0.0)),
      best_(options_.initial_value_threshold) {
  if (options_.save_weights_only)
    STRATA_CHECK(filepath_.ends_with(".weights.h5"), ValueError,
                 "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in "
                 "`.weights.h5` (Keras weights format). Received: filepath=",
                 filepath_);
  else
    STRATA_CHECK(filepath_.ends_with(".keras") || filepath_.ends_with(".h5"), ValueError,
                 "The filepath provided must end in `.keras` (Keras model format). Received: filepath=", filepath_);
}

ModelCheckpoint::~ModelCheckpoint() = default;
ModelCheckpoint::ModelCheckpoint(ModelCheckpoint&&) noexcept = default;
ModelCheckpoint& ModelCheckpoint::operator=(ModelCheckpoint&&) noexcept = default;

void ModelCheckpoint::on_epoch_begin(int epoch, Logs&) { current_epoch_ = epoch; }

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs) {
  monitor_->settle(model());
  if (options_.save_freq.per_epoch()) save(epoch, std::nullopt, logs);
}

bool ModelCheckpoint::batch_save_due(int batch) const {
  if (options_.save_freq.per_epoch()) return false;
  const int added = !last_batch_ || batch <= *last_batch_ ? batch + 1 : batch - *last_batch_;
  return batches_since_save_ + added >= options_.save_freq.batches();
}

bool ModelCheckpoint::wants_batch_logs(CallbackMode mode, int batch, bool) const {
  // The logs fill the file name and the best-only test: read only for a batch that saves.
  return mode == CallbackMode::Train && batch_save_due(batch);
}

void ModelCheckpoint::on_train_batch_end(int batch, const Logs& logs) {
  if (options_.save_freq.per_epoch()) return;
  const bool due = batch_save_due(batch);
  batches_since_save_ += !last_batch_ || batch <= *last_batch_ ? batch + 1 : batch - *last_batch_;
  last_batch_ = batch;
  if (!due) return;
  batches_since_save_ = 0;
  monitor_->settle(model());
  save(current_epoch_, batch, logs);
}

void ModelCheckpoint::save(int epoch, std::optional<int> batch, const Logs& logs) {
  std::map<std::string, detail::FormatValue> values;
  for (const auto& [key, value] : logs) values[key] = {value, false};
  values["epoch"] = {double(epoch + 1), true};
  if (batch && !logs.contains("batch")) values["batch"] = {double(*batch + 1), true};
  std::string path;
  try {
    path = detail::python_format(filepath_, values);
  } catch (const ValueError& e) {
    throw ValueError(
        detail::concat("Failed to format this callback filepath: \"", filepath_, "\". Reason: ", e.what()));
  }

  if (options_.save_best_only) {
    const std::optional<double> current = monitor_->value_in(logs);
    if (!current) {
      std::cerr << "WARNING: Can save best model only with " << options_.monitor << " available.\n";
    } else {
      const std::string best_text = best_ ? five_decimals(*best_) : "None";
      if (!monitor_->improves(*current, best_)) {
        if (options_.verbose > 0)
          std::cout << "\nEpoch " << epoch + 1 << ": " << options_.monitor << " did not improve from " << best_text
                    << '\n';
        return;
      }
      if (options_.verbose > 0)
        std::cout << "\nEpoch " << epoch + 1 << ": " << options_.monitor << " improved from " << best_text << " to "
                  << five_decimals(*current) << ", saving model to " << path << '\n';
      best_ = current;
    }
  } else if (options_.verbose > 0) {
    std::cout << "\nEpoch " << epoch + 1 << ": saving model to " << path << '\n';
  }

  STRATA_CHECK(
      !std::filesystem::is_directory(path), IOError,
      "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: ", path);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  if (options_.save_weights_only)
    model().save_weights(path);
  else
    model().save(path);
  last_saved_ = path;
}

}  // namespace strata::callbacks
