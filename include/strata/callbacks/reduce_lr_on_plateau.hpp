#pragma once
/// @class strata::callbacks::ReduceLROnPlateau
/// Keras's ReduceLROnPlateau: multiplies the learning rate by `factor` when a monitored log
/// value has not improved for `patience` epochs. Adds "learning_rate" to each epoch's logs.

#include <memory>
#include <optional>
#include <string>

#include "strata/callbacks/callback.hpp"

namespace strata::detail {
class Monitor;
}

namespace strata::callbacks {

/// ReduceLROnPlateau's arguments, with Keras's defaults.
struct ReduceLROnPlateauOptions {
  /// The log key watched.
  std::string monitor = "val_loss";
  /// new_lr = lr * factor (below 1).
  double factor = 0.1;
  /// Epochs without improvement before the rate is reduced.
  int patience = 10;
  /// 1 prints each reduction.
  int verbose = 0;
  /// "min", "max", or "auto".
  std::string mode = "auto";
  /// A change smaller than this is no improvement.
  double min_delta = 1e-4;
  /// Epochs to wait after a reduction before counting again.
  int cooldown = 0;
  /// The rate is never reduced below this.
  double min_lr = 0.0;
};

class ReduceLROnPlateau : public Callback {
 public:
  /// ValueError for a factor of 1 or more, as Keras.
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});
  ~ReduceLROnPlateau() override;
  /// Moves the callback (a temporary passed to fit is moved into its list).
  ReduceLROnPlateau(ReduceLROnPlateau&&) noexcept;
  /// Moves the callback.
  ReduceLROnPlateau& operator=(ReduceLROnPlateau&&) noexcept;

  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;

 private:
  ReduceLROnPlateauOptions options_;
  std::unique_ptr<detail::Monitor> monitor_;
  std::optional<double> best_;
  int wait_ = 0, cooldown_counter_ = 0;
};

}  // namespace strata::callbacks
