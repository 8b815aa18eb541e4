#pragma once
/// @class strata::callbacks::LearningRateScheduler
/// Keras's LearningRateScheduler: sets the learning rate at the start of every epoch from a
/// function of the epoch (0-based) and the current rate, and adds "learning_rate" to the logs.
///
///     strata::callbacks::LearningRateScheduler schedule(
///         [](int epoch, double lr) { return epoch < 10 ? lr : lr * std::exp(-0.1); });

#include <functional>

#include "strata/callbacks/callback.hpp"

namespace strata::callbacks {

class LearningRateScheduler : public Callback {
 public:
  /// `schedule(epoch, current_rate)` returns the rate for that epoch; `verbose` 1 prints it.
  explicit LearningRateScheduler(std::function<double(int epoch, double learning_rate)> schedule, int verbose = 0);

  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;

 private:
  std::function<double(int, double)> schedule_;
  int verbose_;
};

}  // namespace strata::callbacks
