#pragma once
/// @class strata::callbacks::EarlyStopping
/// Keras's EarlyStopping: stops fit when a monitored log value has stopped improving.
///
///     auto stop = std::make_shared<strata::callbacks::EarlyStopping>(
///         strata::callbacks::EarlyStoppingOptions{.monitor = "val_loss", .patience = 3,
///                                                 .restore_best_weights = true});
///     model.fit(x, y, {.epochs = 100, .validation_split = 0.2, .callbacks = {stop}});
///     stop->stopped_epoch();

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/callbacks/callback.hpp"

namespace strata::detail {
class Monitor;
}

namespace strata::callbacks {

/// EarlyStopping's arguments, with Keras's defaults.
struct EarlyStoppingOptions {
  /// The log key watched.
  std::string monitor = "val_loss";
  /// A change smaller than this is no improvement.
  double min_delta = 0.0;
  /// Epochs without improvement before training stops.
  int patience = 0;
  /// 1 prints when training stops and when weights are restored.
  int verbose = 0;
  /// "min", "max", or "auto" (from the monitored metric's direction).
  std::string mode = "auto";
  /// Training stops unless the value improves on this within `patience` epochs.
  std::optional<double> baseline = std::nullopt;
  /// At the end of training, set the weights of the best epoch seen.
  bool restore_best_weights = false;
  /// Epochs to wait before watching (a warm-up).
  int start_from_epoch = 0;
};

class EarlyStopping : public Callback {
 public:
  /// Checks the options.
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  ~EarlyStopping() override;
  /// Moves the callback (a temporary passed to fit is moved into its list).
  EarlyStopping(EarlyStopping&&) noexcept;
  /// Moves the callback.
  EarlyStopping& operator=(EarlyStopping&&) noexcept;

  /// The epoch (0-based) at which training was stopped; 0 when it was not.
  int stopped_epoch() const { return stopped_epoch_; }
  /// The epoch (0-based) with the best monitored value.
  int best_epoch() const { return best_epoch_; }
  /// The best monitored value seen.
  std::optional<double> best() const { return best_; }
  /// Epochs since the last improvement.
  int wait() const { return wait_; }

  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(Logs& logs) override;

 private:
  EarlyStoppingOptions options_;
  std::unique_ptr<detail::Monitor> monitor_;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  std::optional<double> best_;
  std::optional<std::vector<xt::xarray<float>>> best_weights_;
};

}  // namespace strata::callbacks
