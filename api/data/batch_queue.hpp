#pragma once
// The engine behind fit/evaluate/predict on a PyDataset or a generator: one epoch of batches,
// made ahead of the step on background threads when the data set asks for workers, handed out
// in order.
//
// PyDataset: with dataset.workers() == 1, next() calls get() on the calling thread (Keras's
// default). With more, that many threads claim positions of `indices` in order and call get()
// concurrently; a position is claimed only while fewer than max_queue_size() batches are
// claimed ahead of the consumer (being made or ready), so memory stays bounded however slow
// the step. next() waits for the batch at its position, so the order is `indices`' order
// whatever order the gets finish in.
//
// Generator: pulled on the calling thread, or on one background thread up to max_queue_size
// ahead (a generator is a sequence, so one thread; several could not keep its order).
//
// Errors: the first exception a get() or the generator throws is rethrown by the next() that
// reaches its position (the batches before it are handed out first), with the batch named in
// its message; the queue is then finished (next() returns nullopt) and its threads stop.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "strata/data/py_dataset.hpp"

namespace strata::detail {

class BatchQueue {
 public:
  /// One epoch of `dataset`'s batches, in the order of `indices`.
  BatchQueue(PyDataset& dataset, std::vector<std::int64_t> indices);
  /// A generator (which must outlive the queue: it is called, not copied, so its state carries
  /// over from epoch to epoch): at most `limit` batches when given; pulled on one background
  /// thread up to `max_queue_size` ahead when `background`, else on the calling thread.
  BatchQueue(const BatchGenerator& generator, std::optional<std::int64_t> limit, int max_queue_size, bool background);
  /// Stops and joins the threads: each finishes the get() it is in (a get cannot be interrupted)
  /// and claims no other.
  ~BatchQueue();
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  /// The next batch in order, or nullopt after the last (or after an error was rethrown).
  std::optional<Batch> next();

 private:
  // The outcome of one position: its batch, the end of a generator, or an error.
  struct Outcome {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };

  void dataset_worker();
  void generator_worker();
  Outcome make_dataset_batch(std::int64_t position);
  Outcome pull_generator(std::int64_t position);
  std::optional<Batch> deliver(Outcome outcome);
  void stop_threads();

  PyDataset* dataset_ = nullptr;
  std::vector<std::int64_t> indices_;
  const BatchGenerator* generator_ = nullptr;
  std::optional<std::int64_t> limit_;
  int max_queue_size_ = 1;
  bool background_ = false;

  std::mutex mutex_;
  std::condition_variable ready_;  // a batch arrived (the consumer waits on it)
  std::condition_variable space_;  // the consumer took one, or stop (the workers wait on it)
  bool stop_ = false;
  bool finished_ = false;                 // the last batch, or an error, was handed out
  std::int64_t handed_out_ = 0;           // positions next() has returned
  std::int64_t claimed_ = 0;              // positions a worker has started (dataset mode)
  std::map<std::int64_t, Outcome> done_;  // finished positions not yet handed out (dataset mode)
  std::deque<Outcome> pulled_;            // generator outcomes in order (background generator)
  std::vector<std::thread> threads_;
};

}  // namespace strata::detail
