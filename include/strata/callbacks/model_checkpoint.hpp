#pragma once
/// @class strata::callbacks::ModelCheckpoint
/// Keras's ModelCheckpoint: saves the model (a `.keras` file) or its weights (a `.weights.h5`
/// file) during training, every epoch or every N batches, optionally only when a monitored log
/// value improves. The path is a Python format string over `epoch` (1-based), `batch` and the
/// log keys: `"ckpt-{epoch:02d}-{val_loss:.2f}.keras"`.

#include <memory>
#include <optional>
#include <string>

#include "strata/callbacks/callback.hpp"
#include "strata/callbacks/save_freq.hpp"

namespace strata::detail {
class Monitor;
}

namespace strata::callbacks {

/// ModelCheckpoint's arguments, with Keras's defaults.
struct ModelCheckpointOptions {
  /// The log key watched by save_best_only.
  std::string monitor = "val_loss";
  /// 1 prints each save.
  int verbose = 0;
  /// Save only when the monitored value improves on the best so far.
  bool save_best_only = false;
  /// Save the weights (`.weights.h5`) rather than the whole model (`.keras`).
  bool save_weights_only = false;
  /// "min", "max", or "auto".
  std::string mode = "auto";
  /// "epoch", or every N training batches.
  SaveFreq save_freq = "epoch";
  /// The first save needs a value better than this (save_best_only).
  std::optional<double> initial_value_threshold = std::nullopt;
};

class ModelCheckpoint : public Callback {
 public:
  /// ValueError, as Keras, when the extension does not fit save_weights_only.
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});
  ~ModelCheckpoint() override;
  /// Moves the callback (a temporary passed to fit is moved into its list).
  ModelCheckpoint(ModelCheckpoint&&) noexcept;
  /// Moves the callback.
  ModelCheckpoint& operator=(ModelCheckpoint&&) noexcept;

  /// The best monitored value seen (save_best_only).
  std::optional<double> best() const { return best_; }
  /// The path of the last file written, empty before the first save.
  const std::string& last_saved() const { return last_saved_; }

  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  bool wants_batch_logs(CallbackMode mode, int batch, bool last) const override;

 private:
  void save(int epoch, std::optional<int> batch, const Logs& logs);
  bool batch_save_due(int batch) const;

  std::string filepath_;
  ModelCheckpointOptions options_;
  std::unique_ptr<detail::Monitor> monitor_;
  std::optional<double> best_;
  std::string last_saved_;
  int current_epoch_ = 0;
  int batches_since_save_ = 0;
  std::optional<int> last_batch_;
};

}  // namespace strata::callbacks
