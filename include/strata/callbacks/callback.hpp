#pragma once
/// @class strata::Callback
/// Keras's Callback: hooks fit, evaluate and predict call at the start and end of training, of
/// each epoch and of each batch, with the logs of the moment and the model being trained.
///
///     struct PrintLoss : strata::Callback {
///       void on_epoch_end(int epoch, strata::Logs& logs) override {
///         std::cout << epoch << ": " << logs.at("loss") << '\n';
///       }
///     };
///     model.fit(x, y, {.epochs = 5, .callbacks = {PrintLoss()}});
///
/// Batch logs are running values read back from the device. A step reads them only when a
/// callback asks for them: a callback whose batch hooks are the base class's ones (found at its
/// first batch) never does, and one that overrides them may answer `wants_batch_logs` to read
/// less often (ProgbarLogger asks only when it is about to draw).

#include <concepts>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/history.hpp"

namespace strata {

class Model;

/// Which loop a batch hook belongs to.
enum class CallbackMode { Train, Test, Predict };

/// What fit, evaluate or predict tells its callbacks before they start (Keras's `params`).
struct CallbackParams {
  /// The call's verbosity (0, 1 or 2).
  int verbose = 1;
  /// fit: the index of the last epoch; evaluate and predict: 1.
  int epochs = 1;
  /// Steps per epoch (0 when the data does not say, as a generator without steps_per_epoch).
  std::int64_t steps = 0;
};

class Callback {
 public:
  virtual ~Callback() = default;

  /// The model fit, evaluate or predict runs (StateError before one has started).
  Model& model() const;
  /// The call's verbosity, epochs and steps.
  const CallbackParams& params() const { return params_; }
  /// Set by the loops before on_train_begin (on_test_begin, on_predict_begin).
  void set_model(Model& model) { model_ = &model; }
  /// Set by the loops before on_train_begin (on_test_begin, on_predict_begin).
  void set_params(const CallbackParams& params) { params_ = params; }

  /// fit starts; `logs` is empty.
  virtual void on_train_begin(Logs& logs) { (void)logs; }
  /// fit ends; `logs` holds the last epoch's logs.
  virtual void on_train_end(Logs& logs) { (void)logs; }
  /// Epoch `epoch` (0-based) starts.
  virtual void on_epoch_begin(int epoch, Logs& logs) {
    (void)epoch;
    (void)logs;
  }
  /// Epoch `epoch` ended: `logs` holds the epoch's training logs and, on validation epochs, the
  /// `val_` ones. A callback may add keys (ReduceLROnPlateau adds "learning_rate"); callbacks
  /// after it and the History see them.
  virtual void on_epoch_end(int epoch, Logs& logs) {
    (void)epoch;
    (void)logs;
  }
  /// Training batch `batch` (0-based within the epoch) starts.
  virtual void on_train_batch_begin(int batch, const Logs& logs);
  /// Training batch `batch` ended: `logs` holds the running loss and metrics of the epoch so far.
  virtual void on_train_batch_end(int batch, const Logs& logs);
  /// evaluate (or fit's validation) starts.
  virtual void on_test_begin(Logs& logs) { (void)logs; }
  /// evaluate (or fit's validation) ended, with its logs.
  virtual void on_test_end(Logs& logs) { (void)logs; }
  /// An evaluation batch starts.
  virtual void on_test_batch_begin(int batch, const Logs& logs);
  /// An evaluation batch ended: `logs` holds the running values of the evaluation so far.
  virtual void on_test_batch_end(int batch, const Logs& logs);
  /// predict starts.
  virtual void on_predict_begin(Logs& logs) { (void)logs; }
  /// predict ended.
  virtual void on_predict_end(Logs& logs) { (void)logs; }
  /// A prediction batch starts.
  virtual void on_predict_batch_begin(int batch, const Logs& logs);
  /// A prediction batch ended (Keras passes the outputs; Strata's logs are empty).
  virtual void on_predict_batch_end(int batch, const Logs& logs);

  /// Whether the `mode` batch_end hook about to run for batch `batch` needs fresh logs.
  /// Default: true unless the callback keeps the base class's (empty) hook for that mode. `last`
  /// is the epoch's (evaluation's) final batch.
  virtual bool wants_batch_logs(CallbackMode mode, int batch, bool last) const {
    (void)batch;
    (void)last;
    return !base_batch_end_[static_cast<int>(mode)];
  }

 private:
  Model* model_ = nullptr;
  CallbackParams params_;
  // Set when a base batch_end hook runs: the callback does not override it, so the loops need
  // not read logs for it from then on.
  bool base_batch_end_[3] = {false, false, false};
};

/// fit's, evaluate's and predict's `callbacks`. A callback passed by name is used in place (it
/// must outlive the call, as a local does) so it can be read afterwards, as in Keras:
///
///     callbacks::EarlyStopping stop({.patience = 2});
///     model.fit(x, y, {.epochs = 50, .callbacks = {stop, callbacks::CSVLogger("log.csv")}});
///     stop.stopped_epoch();
///
/// A temporary (`callbacks::CSVLogger("log.csv")`) is moved into the list, which keeps it alive.
class Callbacks {
 public:
  /// No callbacks.
  Callbacks() = default;
  /// A temporary callback object, moved into the list.
  template <class T>
  requires std::derived_from<std::remove_cvref_t<T>, Callback> &&(!std::is_lvalue_reference_v<T>)Callbacks(T&& callback)
      : list_{std::make_shared<std::remove_cvref_t<T>>(std::forward<T>(callback))} {}
  /// A named callback object, used in place (not copied): it must outlive the call.
  template <class T>
  requires std::derived_from<T, Callback> Callbacks(T& callback)
      : list_{std::shared_ptr<Callback>(std::shared_ptr<Callback>(), &callback)} {}
  /// One shared callback.
  template <class T>
  requires std::derived_from<T, Callback> Callbacks(std::shared_ptr<T> callback) : list_{std::move(callback)} {}
  /// Several callbacks, in the order their hooks run.
  Callbacks(std::initializer_list<Callbacks> lists) {
    for (const auto& list : lists) list_.insert(list_.end(), list.list_.begin(), list.list_.end());
  }
  /// Several shared callbacks.
  Callbacks(std::vector<std::shared_ptr<Callback>> list) : list_(std::move(list)) {}

  /// The callbacks, in order.
  const std::vector<std::shared_ptr<Callback>>& list() const { return list_; }
  /// Whether there are none.
  bool empty() const { return list_.empty(); }

 private:
  std::vector<std::shared_ptr<Callback>> list_;
};

}  // namespace strata
