#include "strata/callbacks/callback.hpp"

#include "strata/error.hpp"

namespace strata {

Model& Callback::model() const {
  STRATA_CHECK(model_ != nullptr, StateError,
               "This callback has no model yet: fit, evaluate and predict set it before the first hook runs.");
  return *model_;
}

// The base batch_end hooks mark themselves as not overridden, so the loops stop reading logs
// for a callback that does nothing with them.
void Callback::on_train_batch_begin(int, const Logs&) {}
void Callback::on_train_batch_end(int, const Logs&) { base_batch_end_[int(CallbackMode::Train)] = true; }
void Callback::on_test_batch_begin(int, const Logs&) {}
void Callback::on_test_batch_end(int, const Logs&) { base_batch_end_[int(CallbackMode::Test)] = true; }
void Callback::on_predict_batch_begin(int, const Logs&) {}
void Callback::on_predict_batch_end(int, const Logs&) { base_batch_end_[int(CallbackMode::Predict)] = true; }

}  // namespace strata
