#pragma once
/// @class strata::callbacks::TerminateOnNaN
/// Keras's TerminateOnNaN: ends training at the first batch whose running loss is NaN or
/// infinite. fit does not check the loss by itself (as Keras): without this callback a
/// diverged model trains on and shows `nan` in its logs.

#include "strata/callbacks/callback.hpp"

namespace strata::callbacks {

class TerminateOnNaN : public Callback {
 public:
  /// `raise_error`: throw a RuntimeError instead of stopping after the batch.
  explicit TerminateOnNaN(bool raise_error = false) : raise_error_(raise_error) {}

  void on_train_batch_end(int batch, const Logs& logs) override;

 private:
  bool raise_error_;
};

}  // namespace strata::callbacks
