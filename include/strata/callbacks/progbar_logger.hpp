#pragma once
/// @class strata::callbacks::ProgbarLogger
/// Keras's ProgbarLogger: the progress bar of fit, evaluate and predict. fit, evaluate and
/// predict add one when `verbose` is not 0 and the callbacks hold none. It asks for a batch's
/// logs only when the bar is about to draw (at most every 50 ms on a terminal; only at the end
/// of each epoch in a file or a pipe), so the bar costs no device read on other steps.

#include <cstdint>
#include <memory>

#include "strata/callbacks/callback.hpp"

namespace strata {
class Progbar;
}

namespace strata::callbacks {

class ProgbarLogger : public Callback {
 public:
  ProgbarLogger();
  ~ProgbarLogger() override;
  /// Moves the callback (a temporary passed to fit is moved into its list).
  ProgbarLogger(ProgbarLogger&&) noexcept;
  /// Moves the callback.
  ProgbarLogger& operator=(ProgbarLogger&&) noexcept;

  void on_train_begin(Logs& logs) override;
  void on_train_end(Logs& logs) override;
  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_test_begin(Logs& logs) override;
  void on_test_batch_end(int batch, const Logs& logs) override;
  void on_test_end(Logs& logs) override;
  void on_predict_begin(Logs& logs) override;
  void on_predict_batch_end(int batch, const Logs& logs) override;
  void on_predict_end(Logs& logs) override;
  bool wants_batch_logs(CallbackMode mode, int batch, bool last) const override;

 private:
  void start_bar();
  void update_bar(int batch, const Logs& logs);
  void finish_bar(const Logs& logs);
  // A batch whose logs this bar said it would not draw: its end then does not draw either, even
  // when the moment to draw has come meanwhile (the logs were not read for it; in data-parallel
  // training the question comes before the step).
  bool declined(int batch);

  std::unique_ptr<Progbar> bar_;
  mutable int declined_batch_ = -1;
  bool in_fit_ = false;
  std::int64_t seen_ = 0;
};

}  // namespace strata::callbacks
