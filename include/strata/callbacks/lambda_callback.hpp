#pragma once
/// @class strata::callbacks::LambdaCallback
/// Keras's LambdaCallback: a callback made of functions, for quick hooks.
///
///     strata::callbacks::LambdaCallback print_epoch({
///         .on_epoch_end = [](int epoch, strata::Logs& logs) { std::cout << logs["loss"] << '\n'; }});

#include <functional>

#include "strata/callbacks/callback.hpp"

namespace strata::callbacks {

/// The hooks a LambdaCallback runs; those left empty do nothing.
struct LambdaCallbackHooks {
  /// Runs at on_epoch_begin.
  std::function<void(int epoch, Logs& logs)> on_epoch_begin;
  /// Runs at on_epoch_end.
  std::function<void(int epoch, Logs& logs)> on_epoch_end;
  /// Runs at on_train_batch_begin.
  std::function<void(int batch, const Logs& logs)> on_train_batch_begin;
  /// Runs at on_train_batch_end (its logs are read back for it every batch).
  std::function<void(int batch, const Logs& logs)> on_train_batch_end;
  /// Runs at on_train_begin.
  std::function<void(Logs& logs)> on_train_begin;
  /// Runs at on_train_end.
  std::function<void(Logs& logs)> on_train_end;
};

class LambdaCallback : public Callback {
 public:
  /// The functions to run.
  explicit LambdaCallback(LambdaCallbackHooks hooks) : hooks_(std::move(hooks)) {}

  void on_epoch_begin(int epoch, Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_batch_begin(int batch, const Logs& logs) override;
  void on_train_batch_end(int batch, const Logs& logs) override;
  void on_train_begin(Logs& logs) override;
  void on_train_end(Logs& logs) override;
  bool wants_batch_logs(CallbackMode mode, int batch, bool last) const override;

 private:
  LambdaCallbackHooks hooks_;
};

}  // namespace strata::callbacks
