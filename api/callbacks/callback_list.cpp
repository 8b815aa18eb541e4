#include "api/callbacks/callback_list.hpp"

#include "api/distributed/data_parallel.hpp"
#include "strata/callbacks/backup_and_restore.hpp"
#include "strata/callbacks/csv_logger.hpp"
#include "strata/callbacks/model_checkpoint.hpp"
#include "strata/callbacks/progbar_logger.hpp"
#include "strata/callbacks/tensorboard.hpp"

namespace strata::detail {

namespace {
// The built-in callbacks whose whole effect is output: the console, or files every rank of a
// data-parallel job would write alike (or race on). BackupAndRestore's restore is rank 0's too:
// fit gives its weights and epoch to the other ranks.
bool only_writes(const Callback& callback) {
  return dynamic_cast<const callbacks::ProgbarLogger*>(&callback) ||
         dynamic_cast<const callbacks::ModelCheckpoint*>(&callback) ||
         dynamic_cast<const callbacks::CSVLogger*>(&callback) ||
         dynamic_cast<const callbacks::TensorBoard*>(&callback) ||
         dynamic_cast<const callbacks::BackupAndRestore*>(&callback);
}
}  // namespace

CallbackList::CallbackList(const Callbacks& callbacks, Model& model, const CallbackParams& params)
    : list_(callbacks.list()) {
  bool has_progbar = false;
  for (const auto& callback : list_)
    has_progbar = has_progbar || dynamic_cast<callbacks::ProgbarLogger*>(callback.get());
  if (params.verbose != 0 && !has_progbar) list_.push_back(std::make_shared<callbacks::ProgbarLogger>());
  if (!writes_here()) std::erase_if(list_, [](const auto& callback) { return only_writes(*callback); });
  for (const auto& callback : list_) {
    callback->set_model(model);
    callback->set_params(params);
  }
}

bool CallbackList::wants_batch_logs(CallbackMode mode, int batch, bool last) const {
  for (const auto& callback : list_)
    if (callback->wants_batch_logs(mode, batch, last)) return true;
  return false;
}

void CallbackList::on_train_begin(Logs& logs) {
  for (const auto& c : list_) c->on_train_begin(logs);
}
void CallbackList::on_train_end(Logs& logs) {
  for (const auto& c : list_) c->on_train_end(logs);
}
void CallbackList::on_epoch_begin(int epoch, Logs& logs) {
  for (const auto& c : list_) c->on_epoch_begin(epoch, logs);
}
void CallbackList::on_epoch_end(int epoch, Logs& logs) {
  for (const auto& c : list_) c->on_epoch_end(epoch, logs);
}
void CallbackList::on_batch_begin(CallbackMode mode, int batch, const Logs& logs) {
  for (const auto& c : list_) {
    if (mode == CallbackMode::Train)
      c->on_train_batch_begin(batch, logs);
    else if (mode == CallbackMode::Test)
      c->on_test_batch_begin(batch, logs);
    else
      c->on_predict_batch_begin(batch, logs);
  }
}
void CallbackList::on_batch_end(CallbackMode mode, int batch, const Logs& logs) {
  for (const auto& c : list_) {
    if (mode == CallbackMode::Train)
      c->on_train_batch_end(batch, logs);
    else if (mode == CallbackMode::Test)
      c->on_test_batch_end(batch, logs);
    else
      c->on_predict_batch_end(batch, logs);
  }
}
void CallbackList::on_test_begin(Logs& logs) {
  for (const auto& c : list_) c->on_test_begin(logs);
}
void CallbackList::on_test_end(Logs& logs) {
  for (const auto& c : list_) c->on_test_end(logs);
}
void CallbackList::on_predict_begin(Logs& logs) {
  for (const auto& c : list_) c->on_predict_begin(logs);
}
void CallbackList::on_predict_end(Logs& logs) {
  for (const auto& c : list_) c->on_predict_end(logs);
}

}  // namespace strata::detail
