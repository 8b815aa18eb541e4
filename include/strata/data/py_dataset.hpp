#pragma once
/// @class strata::PyDataset
/// Keras's PyDataset: data given one batch at a time, so a data set larger than memory streams
/// from disk. A subclass says how many batches an epoch has and makes batch `index` on demand;
/// fit, evaluate and predict take it in place of arrays.
///
///     struct Shards : strata::PyDataset {
///       Shards() : PyDataset({.workers = 4, .max_queue_size = 8}) {}
///       std::int64_t size() const override { return 100; }
///       strata::Batch get(std::int64_t index) override { return load_shard(index); }
///     };
///     Shards data;
///     model.fit(data, {.epochs = 3});
///
/// With `workers` > 1, fit prepares the next batches on that many background threads while the
/// current step runs, at most `max_queue_size` ahead, and hands them to the model in index
/// order; `get` must then be safe to call from several threads at once. With one worker (the
/// default, as in Keras) `get` runs on the training thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <xtensor/xarray.hpp>

namespace strata {

/// One batch: one array per model input, one per model output (none for predict), and an
/// optional weight per sample. Every array has the batch's samples on its first axis.
struct Batch {
  /// The inputs, in the model's input order.
  std::vector<xt::xarray<float>> x;
  /// The targets, in the model's output order (empty for predict).
  std::vector<xt::xarray<float>> y;
  /// One weight per sample (shape (batch,)); left default-constructed (0-d) for none.
  xt::xarray<float> sample_weight;
};

/// How a PyDataset is read: Keras's `workers` and `max_queue_size`.
struct PyDatasetOptions {
  /// Threads preparing batches ahead of the step (1: batches are made on the training thread).
  int workers = 1;
  /// At most this many batches wait ready ahead of the step.
  int max_queue_size = 10;
};

class PyDataset {
 public:
  virtual ~PyDataset() = default;
  /// The number of batches in an epoch (Keras's `__len__`).
  virtual std::int64_t size() const = 0;
  /// Batch `index` (0 <= index < size()), Keras's `__getitem__`.
  virtual Batch get(std::int64_t index) = 0;
  /// Called after every epoch (to reshuffle, for example).
  virtual void on_epoch_end() {}

  /// The threads that prepare batches.
  int workers() const { return options_.workers; }
  /// How many batches may wait ready.
  int max_queue_size() const { return options_.max_queue_size; }

 protected:
  /// Checks the options (ValueError for workers or max_queue_size below 1).
  explicit PyDataset(const PyDatasetOptions& options = {});

 private:
  PyDatasetOptions options_;
};

/// A generator of batches, as Keras's fit accepts a Python generator: each call returns the next
/// batch, or nothing when the data is exhausted. Without `steps_per_epoch`, fit's epoch is one
/// pass until the generator is exhausted; with it, an epoch is that many batches and the
/// generator must not run dry.
using BatchGenerator = std::function<std::optional<Batch>()>;

}  // namespace strata
