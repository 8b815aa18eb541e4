#pragma once
// The callbacks of one fit, evaluate or predict call, in hook order: the user's, then a
// ProgbarLogger when `verbose` asks for one and the user gave none (Keras's CallbackList). On
// the ranks other than 0 of a data-parallel job, without the built-in callbacks that only print
// or write files (the progress bar, checkpoints, backups, CSV and TensorBoard logs).
// Knows whether any of them needs a batch's logs, so the loops read them back only then.

#include <memory>
#include <vector>

#include "strata/callbacks/callback.hpp"

namespace strata::detail {

class CallbackList {
 public:
  CallbackList(const Callbacks& callbacks, Model& model, const CallbackParams& params);

  // Whether any callback needs the logs of the batch about to end.
  bool wants_batch_logs(CallbackMode mode, int batch, bool last) const;

  void on_train_begin(Logs& logs);
  void on_train_end(Logs& logs);
  void on_epoch_begin(int epoch, Logs& logs);
  void on_epoch_end(int epoch, Logs& logs);
  void on_batch_begin(CallbackMode mode, int batch, const Logs& logs);
  void on_batch_end(CallbackMode mode, int batch, const Logs& logs);
  void on_test_begin(Logs& logs);
  void on_test_end(Logs& logs);
  void on_predict_begin(Logs& logs);
  void on_predict_end(Logs& logs);

 private:
  std::vector<std::shared_ptr<Callback>> list_;
};

}  // namespace strata::detail
