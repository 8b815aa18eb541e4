#include "strata/callbacks/early_stopping.hpp"

#include <iostream>

#include "api/callbacks/monitor.hpp"
#include "strata/model.hpp"

namespace strata::callbacks {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)),
      monitor_(
          std::make_unique<detail::Monitor>("EarlyStopping", options_.monitor, options_.mode, options_.min_delta)) {}

EarlyStopping::~EarlyStopping() = default;
EarlyStopping::EarlyStopping(EarlyStopping&&) noexcept = default;
EarlyStopping& EarlyStopping::operator=(EarlyStopping&&) noexcept = default;

void EarlyStopping::on_train_begin(Logs&) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_.reset();
  best_weights_.reset();
  best_epoch_ = 0;
}

void EarlyStopping::on_epoch_end(int epoch, Logs& logs) {
  monitor_->settle(model());
  const std::optional<double> current = monitor_->value_in(logs);
  if (!current) {
    std::cerr << "WARNING: Early stopping conditioned on metric `" << options_.monitor
              << "` which is not available. Available metrics are: " << detail::Monitor::keys_of(logs) << '\n';
    return;
  }
  if (epoch < options_.start_from_epoch) return;
  if (options_.restore_best_weights && !best_weights_) {
    best_weights_ = model().get_weights();
    best_epoch_ = epoch;
  }
  ++wait_;
  if (monitor_->improves(*current, best_)) {
    best_ = current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model().get_weights();
    // With a baseline, the wait restarts only once the baseline is beaten.
    if (!options_.baseline || monitor_->improves(*current, options_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model().stop_training = true;
  }
}

void EarlyStopping::on_train_end(Logs&) {
  if (stopped_epoch_ > 0 && options_.verbose > 0) std::cout << "Epoch " << stopped_epoch_ + 1 << ": early stopping\n";
  if (options_.restore_best_weights && best_weights_) {
    if (options_.verbose > 0)
      std::cout << "Restoring model weights from the end of the best epoch: " << best_epoch_ + 1 << ".\n";
    model().set_weights(*best_weights_);
  }
}

}  // namespace strata::callbacks
