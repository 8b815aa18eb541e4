#pragma once
/// @class strata::callbacks::TensorBoard
/// Keras's TensorBoard callback: writes event files that the `tensorboard` program shows.
///
///     model.fit(x, y, {.epochs = 10, .validation_split = 0.2,
///                      .callbacks = {callbacks::TensorBoard({.log_dir = "logs/run1", .histogram_freq = 1})}});
///     // then: tensorboard --logdir logs
///
/// Keras's layout: `<log_dir>/train` and `<log_dir>/validation` each hold an event file named as
/// TensorFlow 2 names them (`events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2`). At the end of
/// every epoch the train run gets `epoch_<key>` for each training log plus
/// `epoch_learning_rate`, and the validation run gets `epoch_<key>` for each `val_<key>`
/// (prefix removed), both at step = epoch; both files are flushed then, so a TensorBoard
/// watching the directory shows each epoch as it ends. With update_freq "batch" or N, the train
/// run also gets `batch_<key>` every N-th batch at step = the batch's count since fit started
/// (1-based). Every histogram_freq epochs each weight gets a histogram tagged
/// `<weight path>/histogram` (Keras's paths: `dense/kernel` in a Functional model,
/// `sequential/dense/kernel` in a Sequential or subclassed one). An evaluation (and fit's
/// validation) writes `evaluation_<key>_vs_iterations` to the validation run at step = the
/// optimizer's iterations. With write_graph, the train run gets the model's Keras JSON under the
/// tag `keras` (step 0), which TensorBoard's graph page draws as Keras's conceptual graph (for
/// Functional and Sequential models, as Keras; Keras's op-level graph needs a TensorFlow
/// function and exists for neither).
///
/// Not supported: write_images, profile_batch and the embeddings projector (no Embedding layer
/// yet).

#include <memory>
#include <string>

#include "strata/callbacks/callback.hpp"

namespace strata::detail {
class EventFileWriter;
}

namespace strata::callbacks {

/// TensorBoard's update_freq: "epoch" (scalars once per epoch), "batch" (also every batch) or a
/// number N (also every N-th batch).
class UpdateFreq {
 public:
  /// "epoch" or "batch"; ValueError otherwise.
  UpdateFreq(const char* name);
  /// "epoch" or "batch"; ValueError otherwise.
  UpdateFreq(const std::string& name) : UpdateFreq(name.c_str()) {}
  /// Every `batches` batches (1 is "batch"); ValueError unless positive.
  UpdateFreq(int batches);

  /// Whether batch scalars are written at all.
  bool per_batch() const { return batches_ > 0; }
  /// N for "every N-th batch" (1 for "batch"; 0 for "epoch").
  int batches() const { return batches_; }

 private:
  int batches_ = 0;
};

/// TensorBoard's arguments, with Keras's defaults.
struct TensorBoardOptions {
  /// The directory of the run; `train/` and `validation/` are made inside it.
  std::string log_dir = "logs";
  /// Write weight histograms every this many epochs (0: never).
  int histogram_freq = 0;
  /// Write the model's Keras JSON for TensorBoard's graph page.
  bool write_graph = true;
  /// Also write `epoch_steps_per_second` (and `batch_steps_per_second` with batch scalars).
  bool write_steps_per_second = false;
  /// When loss and metric scalars are written: "epoch", "batch" or every N batches.
  UpdateFreq update_freq = "epoch";
};

class TensorBoard : public Callback {
 public:
  /// The options type, also reachable as TensorBoard::Options.
  using Options = TensorBoardOptions;
  /// `TensorBoard()`, `TensorBoard({.log_dir = "logs/run1", .histogram_freq = 1})`; ValueError
  /// for a negative histogram_freq or an empty log_dir. (No `TensorBoard("logs")` form: g++ 12
  /// finds a designated-initializer list ambiguous between the options and a string.)
  explicit TensorBoard(Options options = {});
  ~TensorBoard() override;
  /// Moves a callback that is not writing (before fit), as `Callbacks` does with a temporary.
  TensorBoard(TensorBoard&& other) noexcept;

  /// The options given.
  const Options& options() const { return options_; }

  /// Opens the train run's event file (IOError naming the directory when it cannot be made
  /// or written), and writes the model's JSON when write_graph is set.
  void on_train_begin(Logs& logs) override;
  /// Closes both event files.
  void on_train_end(Logs& logs) override;
  void on_epoch_begin(int epoch, Logs& logs) override;
  /// Writes the epoch's scalars and, every histogram_freq epochs, the weight histograms.
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_begin(int batch, const Logs& logs) override;
  /// Writes `batch_<key>` scalars on the batches update_freq selects.
  void on_train_batch_end(int batch, const Logs& logs) override;
  /// Writes `evaluation_<key>_vs_iterations` at the optimizer's step count.
  void on_test_end(Logs& logs) override;
  /// True only for the training batches whose scalars are written.
  bool wants_batch_logs(CallbackMode mode, int batch, bool last) const override;

 private:
  // The 1-based count since fit began of the epoch's batch `batch`.
  std::int64_t global_batch(int batch) const { return epoch_first_batch_ + batch + 1; }
  detail::EventFileWriter& validation_writer();
  void write_weight_histograms(int epoch);

  Options options_;
  std::unique_ptr<detail::EventFileWriter> train_writer_;
  std::unique_ptr<detail::EventFileWriter> validation_writer_;
  // Batches run in the epochs before this one.
  std::int64_t epoch_first_batch_ = 0;
  std::int64_t batches_seen_ = 0;
  // For steps per second: when the epoch and the batch began, and the optimizer's step count
  // at the epoch's start.
  double epoch_start_seconds_ = 0;
  double batch_start_seconds_ = 0;
  std::int64_t epoch_start_iterations_ = 0;
};

}  // namespace strata::callbacks
