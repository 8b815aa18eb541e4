#include "strata/callbacks/lambda_callback.hpp"

namespace strata::callbacks {

void LambdaCallback::on_epoch_begin(int epoch, Logs& logs) {
  if (hooks_.on_epoch_begin) hooks_.on_epoch_begin(epoch, logs);
}
void LambdaCallback::on_epoch_end(int epoch, Logs& logs) {
  if (hooks_.on_epoch_end) hooks_.on_epoch_end(epoch, logs);
}
void LambdaCallback::on_train_batch_begin(int batch, const Logs& logs) {
  if (hooks_.on_train_batch_begin) hooks_.on_train_batch_begin(batch, logs);
}
void LambdaCallback::on_train_batch_end(int batch, const Logs& logs) {
  if (hooks_.on_train_batch_end) hooks_.on_train_batch_end(batch, logs);
}
void LambdaCallback::on_train_begin(Logs& logs) {
  if (hooks_.on_train_begin) hooks_.on_train_begin(logs);
}
void LambdaCallback::on_train_end(Logs& logs) {
  if (hooks_.on_train_end) hooks_.on_train_end(logs);
}

bool LambdaCallback::wants_batch_logs(CallbackMode mode, int, bool) const {
  return mode == CallbackMode::Train && static_cast<bool>(hooks_.on_train_batch_end);
}

}  // namespace strata::callbacks
