#include "strata/callbacks/reduce_lr_on_plateau.hpp"

#include <algorithm>
#include <iostream>

#include "api/callbacks/monitor.hpp"
#include "optimizers/config.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata::callbacks {

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options)
    : options_(std::move(options)),
      monitor_(
          std::make_unique<detail::Monitor>("ReduceLROnPlateau", options_.monitor, options_.mode, options_.min_delta)) {
  STRATA_CHECK(options_.factor < 1.0, ValueError,
               "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=",
               optimizers::detail::py_repr(options_.factor));
}

ReduceLROnPlateau::~ReduceLROnPlateau() = default;
ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateau&&) noexcept = default;
ReduceLROnPlateau& ReduceLROnPlateau::operator=(ReduceLROnPlateau&&) noexcept = default;

void ReduceLROnPlateau::on_train_begin(Logs&) {
  best_.reset();
  cooldown_counter_ = 0;
  wait_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, Logs& logs) {
  monitor_->settle(model());
  Optimizer& optimizer = model().optimizer();
  logs["learning_rate"] = optimizer.learning_rate();
  const std::optional<double> current = monitor_->value_in(logs);
  if (!current) {
    std::cerr << "WARNING: Learning rate reduction is conditioned on metric `" << options_.monitor
              << "` which is not available. Available metrics are: " << detail::Monitor::keys_of(logs) << ".\n";
    return;
  }
  const bool in_cooldown = cooldown_counter_ > 0;
  if (in_cooldown) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (monitor_->improves(*current, best_)) {
    best_ = current;
    wait_ = 0;
  } else if (cooldown_counter_ <= 0) {
    if (++wait_ >= options_.patience) {
      // Keras compares the float32 variable's value with min_lr as float32.
      const double old_lr = optimizer.learning_rate();
      if (old_lr > static_cast<double>(static_cast<float>(options_.min_lr))) {
        const double new_lr = std::max(old_lr * options_.factor, options_.min_lr);
        optimizer.set_learning_rate(new_lr);
        if (options_.verbose > 0)
          std::cout << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to "
                    << optimizers::detail::py_repr(new_lr) << ".\n";
        cooldown_counter_ = options_.cooldown;
        wait_ = 0;
      }
    }
  }
}

}  // namespace strata::callbacks
