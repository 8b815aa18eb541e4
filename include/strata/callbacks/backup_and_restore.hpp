#pragma once
/// @class strata::callbacks::BackupAndRestore
/// Keras's BackupAndRestore: backs training up into a directory so that a run killed midway
/// starts again where the last backup left it. Run the same program again and fit resumes
/// from the epoch after the last backup, with the weights, the optimizer's state and Strata's
/// random generator (so shuffling and dropout continue as in an uninterrupted run: with
/// epoch backups the resumed run ends with the same weights). The directory is removed when
/// training ends, unless `delete_checkpoint` is false.
///
/// Files, as Keras's: `latest.weights.h5` (Model::save_weights) and `training_metadata.json`
/// ({"epoch", "batch"}, plus Strata's generator state, which Keras ignores).

#include <string>

#include "strata/callbacks/callback.hpp"
#include "strata/callbacks/save_freq.hpp"

namespace strata::callbacks {

/// BackupAndRestore's arguments, with Keras's defaults.
struct BackupAndRestoreOptions {
  /// "epoch", or every N training batches (a resumed run then repeats the epoch it was in,
  /// from its start, as Keras's does).
  SaveFreq save_freq = "epoch";
  /// Keep the previous backup beside the latest (`.bkp`), used when the latest is unreadable.
  bool double_checkpoint = false;
  /// Remove the backup directory when training ends.
  bool delete_checkpoint = true;
};

class BackupAndRestore : public Callback {
 public:
  /// ValueError for an empty directory name.
  explicit BackupAndRestore(std::string backup_dir, BackupAndRestoreOptions options = {});

  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_train_end(Logs& logs) override;
  bool wants_batch_logs(CallbackMode mode, int batch, bool last) const override;

 private:
  void restore();
  void backup();

  std::string dir_, weights_path_, metadata_path_;
  BackupAndRestoreOptions options_;
  int current_epoch_ = 0;
  int last_batch_ = 0;
  int batches_since_save_ = 0;
};

}  // namespace strata::callbacks
