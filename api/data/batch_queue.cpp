#include "api/data/batch_queue.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "strata/error.hpp"

namespace strata::detail {
namespace {

// Rethrows `error` as the same strata error type with `where` in front of its message, so a
// caller catching ValueError or IOError still does, and the message says which batch failed.
[[noreturn]] void rethrow_naming(const std::exception_ptr& error, const std::string& where) {
  try {
    std::rethrow_exception(error);
  } catch (const ShapeError& e) {
    throw ShapeError(where + e.what());
  } catch (const ValueError& e) {
    throw ValueError(where + e.what());
  } catch (const IOError& e) {
    throw IOError(where + e.what());
  } catch (const ResourceExhaustedError& e) {
    throw ResourceExhaustedError(where + e.what());
  } catch (const BackendError& e) {
    throw BackendError(where + e.what());
  } catch (const StateError& e) {
    throw StateError(where + e.what());
  } catch (const Error& e) {
    throw Error(where + e.what());
  } catch (const std::exception& e) {
    throw ValueError(where + "it threw " + e.what());
  } catch (...) {
    throw ValueError(where + "it threw an exception that is not a std::exception");
  }
}

}  // namespace

BatchQueue::BatchQueue(PyDataset& dataset, std::vector<std::int64_t> indices)
    : dataset_(&dataset), indices_(std::move(indices)), max_queue_size_(dataset.max_queue_size()) {
  const std::int64_t size = dataset.size();
  for (std::int64_t index : indices_)
    STRATA_CHECK(index >= 0 && index < size, ValueError, "PyDataset: batch index ", index,
                 " is out of range for a data set of ", size, " batches");
  if (dataset.workers() == 1) return;
  // More threads than the queue may hold ahead, or than there are batches, would only wait.
  const std::int64_t threads =
      std::min<std::int64_t>({dataset.workers(), max_queue_size_, static_cast<std::int64_t>(indices_.size())});
  background_ = true;
  for (std::int64_t i = 0; i < threads; ++i) threads_.emplace_back([this] { dataset_worker(); });
}

BatchQueue::BatchQueue(const BatchGenerator& generator, std::optional<std::int64_t> limit, int max_queue_size,
                       bool background)
    : generator_(&generator), limit_(limit), max_queue_size_(max_queue_size), background_(background) {
  STRATA_CHECK(max_queue_size >= 1, ValueError, "max_queue_size must be at least 1, received ", max_queue_size);
  STRATA_CHECK(!limit || *limit >= 0, ValueError, "the number of batches must not be negative, received ", *limit);
  STRATA_CHECK(static_cast<bool>(generator), ValueError, "the batch generator is empty");
  if (background_) threads_.emplace_back([this] { generator_worker(); });
}

BatchQueue::~BatchQueue() { stop_threads(); }

void BatchQueue::stop_threads() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  space_.notify_all();
  for (std::thread& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

BatchQueue::Outcome BatchQueue::make_dataset_batch(std::int64_t position) {
  Outcome outcome;
  try {
    outcome.batch = dataset_->get(indices_[static_cast<std::size_t>(position)]);
  } catch (...) {
    outcome.error = std::current_exception();
  }
  return outcome;
}

BatchQueue::Outcome BatchQueue::pull_generator(std::int64_t position) {
  Outcome outcome;
  if (limit_ && position >= *limit_) return outcome;  // the end: nothing more is asked of it
  try {
    outcome.batch = (*generator_)();
  } catch (...) {
    outcome.error = std::current_exception();
  }
  return outcome;
}

void BatchQueue::dataset_worker() {
  const auto size = static_cast<std::int64_t>(indices_.size());
  std::unique_lock lock(mutex_);
  while (true) {
    // A position is claimed only while fewer than max_queue_size batches are claimed ahead of
    // the consumer: claimed_ - handed_out_ counts those being made and those ready.
    space_.wait(lock, [&] { return stop_ || claimed_ >= size || claimed_ < handed_out_ + max_queue_size_; });
    if (stop_ || claimed_ >= size) return;
    const std::int64_t position = claimed_++;
    lock.unlock();
    Outcome outcome = make_dataset_batch(position);
    lock.lock();
    // After an error no position is claimed: every earlier one already is (claims go in
    // order), so the consumer still gets the batches before the failing one.
    if (outcome.error) stop_ = true;
    done_.emplace(position, std::move(outcome));
    ready_.notify_all();
  }
}

void BatchQueue::generator_worker() {
  std::unique_lock lock(mutex_);
  for (std::int64_t position = 0;; ++position) {
    space_.wait(lock, [&] { return stop_ || pulled_.size() < static_cast<std::size_t>(max_queue_size_); });
    if (stop_) return;
    lock.unlock();
    Outcome outcome = pull_generator(position);
    lock.lock();
    const bool last = outcome.error || !outcome.batch;
    pulled_.push_back(std::move(outcome));
    ready_.notify_all();
    if (last) return;
  }
}

std::optional<Batch> BatchQueue::next() {
  if (finished_) return std::nullopt;
  const std::int64_t position = handed_out_;
  Outcome outcome;
  if (dataset_ && position >= static_cast<std::int64_t>(indices_.size())) {
    finished_ = true;
    return std::nullopt;
  }
  if (!background_) {
    outcome = dataset_ ? make_dataset_batch(position) : pull_generator(position);
    ++handed_out_;
  } else {
    std::unique_lock lock(mutex_);
    if (dataset_) {
      ready_.wait(lock, [&] { return done_.count(position) > 0; });
      auto found = done_.find(position);
      outcome = std::move(found->second);
      done_.erase(found);
    } else {
      ready_.wait(lock, [&] { return !pulled_.empty(); });
      outcome = std::move(pulled_.front());
      pulled_.pop_front();
    }
    ++handed_out_;
    lock.unlock();
    space_.notify_all();
  }
  if (outcome.error) {
    finished_ = true;
    stop_threads();
    if (dataset_) {
      const std::int64_t index = indices_[static_cast<std::size_t>(position)];
      rethrow_naming(outcome.error, "PyDataset::get(" + std::to_string(index) + ") (batch " + std::to_string(position) +
                                        " of the epoch): ");
    }
    rethrow_naming(outcome.error, "batch generator (batch " + std::to_string(position) + "): ");
  }
  if (!outcome.batch) finished_ = true;
  return std::move(outcome.batch);
}

}  // namespace strata::detail
