#pragma once
// Callback hooks in the order Keras's fit calls them, around Model::train_on_batch and
// Model::evaluate, with batch logs passed only where a callback asks for them. Used by the
// TensorBoard tests while Model::fit does not yet take callbacks; the logs of a batch are that
// batch's own (train_on_batch's), not fit's running mean over the epoch.

#include <algorithm>
#include <vector>

#include <xtensor/xview.hpp>

#include "strata/callbacks/callback.hpp"
#include "strata/model.hpp"

namespace strata::testing {

/// Trains `epochs` epochs on (x, y) in batches of `batch_size`, validating on (x_val, y_val)
/// after each; returns the History fit would return.
inline History drive_fit(Model& model, const std::vector<Callback*>& callbacks, const xt::xarray<float>& x,
                         const xt::xarray<float>& y, const xt::xarray<float>& x_val, const xt::xarray<float>& y_val,
                         int epochs, int batch_size) {
  const auto n = static_cast<std::int64_t>(x.shape()[0]);
  const int steps = static_cast<int>((n + batch_size - 1) / batch_size);
  for (Callback* callback : callbacks) {
    callback->set_model(model);
    callback->set_params({.verbose = 0, .epochs = epochs, .steps = steps});
  }
  History history;
  history.params = {{"verbose", 0}, {"epochs", epochs}, {"steps", steps}};
  Logs logs;
  for (Callback* callback : callbacks) callback->on_train_begin(logs);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (Callback* callback : callbacks) callback->on_epoch_begin(epoch, logs);
    for (int batch = 0; batch < steps; ++batch) {
      for (Callback* callback : callbacks) callback->on_train_batch_begin(batch, {});
      const auto first = static_cast<std::size_t>(batch) * static_cast<std::size_t>(batch_size);
      const auto last = std::min(first + static_cast<std::size_t>(batch_size), static_cast<std::size_t>(n));
      const xt::xarray<float> x_batch = xt::view(x, xt::range(first, last));
      const xt::xarray<float> y_batch = xt::view(y, xt::range(first, last));
      logs = model.train_on_batch(x_batch, y_batch);
      for (Callback* callback : callbacks)
        if (callback->wants_batch_logs(CallbackMode::Train, batch, batch + 1 == steps))
          callback->on_train_batch_end(batch, logs);
    }
    Logs val;
    for (Callback* callback : callbacks) callback->on_test_begin(val);
    val = model.evaluate(x_val, y_val, {.verbose = 0});
    for (Callback* callback : callbacks) callback->on_test_end(val);
    for (const auto& [key, value] : val) logs["val_" + key] = value;
    for (Callback* callback : callbacks) callback->on_epoch_end(epoch, logs);
    for (const auto& [key, value] : logs) history.history[key].push_back(value);
    history.epoch.push_back(epoch);
  }
  for (Callback* callback : callbacks) callback->on_train_end(logs);
  return history;
}

}  // namespace strata::testing
