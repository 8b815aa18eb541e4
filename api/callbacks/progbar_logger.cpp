#include "strata/callbacks/progbar_logger.hpp"

#include <iostream>

#include "strata/progbar.hpp"

namespace strata::callbacks {

ProgbarLogger::ProgbarLogger() = default;
ProgbarLogger::~ProgbarLogger() = default;
ProgbarLogger::ProgbarLogger(ProgbarLogger&&) noexcept = default;
ProgbarLogger& ProgbarLogger::operator=(ProgbarLogger&&) noexcept = default;

void ProgbarLogger::start_bar() {
  seen_ = 0;
  const std::int64_t steps = params().steps;
  bar_ = std::make_unique<Progbar>(steps > 0 ? std::optional<std::int64_t>(steps) : std::nullopt, params().verbose,
                                   std::cout);
}

void ProgbarLogger::update_bar(int batch, const Logs& logs) {
  if (!bar_) start_bar();
  seen_ = batch + 1;
  if (params().verbose == 1) bar_->update(seen_, logs, false);
}

void ProgbarLogger::finish_bar(const Logs& logs) {
  if (!bar_) start_bar();
  // A data source of unknown length ends the bar at the steps seen.
  const std::int64_t target = params().steps > 0 ? params().steps : seen_;
  bar_->update(target, logs, true);
  bar_.reset();
}

bool ProgbarLogger::wants_batch_logs(CallbackMode mode, int batch, bool) const {
  // Batch updates never finalize (the epoch's end does, with the epoch's logs).
  if (params().verbose != 1 || (mode == CallbackMode::Test && in_fit_) || mode == CallbackMode::Predict) return false;
  const bool draws = !bar_ || bar_->will_draw(batch + 1, false);
  declined_batch_ = draws ? -1 : batch;
  return draws;
}

bool ProgbarLogger::declined(int batch) {
  if (declined_batch_ != batch) return false;
  declined_batch_ = -1;
  seen_ = batch + 1;
  return true;
}

void ProgbarLogger::on_train_begin(Logs&) { in_fit_ = true; }
void ProgbarLogger::on_train_end(Logs&) { in_fit_ = false; }

void ProgbarLogger::on_epoch_begin(int epoch, Logs&) {
  start_bar();
  if (params().verbose && params().epochs > 1) std::cout << "Epoch " << epoch + 1 << '/' << params().epochs << '\n';
}

void ProgbarLogger::on_epoch_end(int, Logs& logs) { finish_bar(logs); }
void ProgbarLogger::on_train_batch_end(int batch, const Logs& logs) {
  if (!declined(batch)) update_bar(batch, logs);
}

// fit's validation runs evaluate's hooks; its bar stays the epoch's (Keras's `_called_in_fit`).
void ProgbarLogger::on_test_begin(Logs&) {
  if (!in_fit_) start_bar();
}
void ProgbarLogger::on_test_batch_end(int batch, const Logs& logs) {
  if (!in_fit_ && !declined(batch)) update_bar(batch, logs);
}
void ProgbarLogger::on_test_end(Logs& logs) {
  if (!in_fit_) finish_bar(logs);
}

void ProgbarLogger::on_predict_begin(Logs&) { start_bar(); }
void ProgbarLogger::on_predict_batch_end(int batch, const Logs& logs) { update_bar(batch, logs); }
void ProgbarLogger::on_predict_end(Logs& logs) { finish_bar(logs); }

}  // namespace strata::callbacks
