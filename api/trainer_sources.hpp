#pragma once
// Where the trainer's loops get their batches (Trainer::Source): host arrays with Keras's
// EpochIterator semantics, a PyDataset whose batches workers make ahead, or a generator. Each
// uploads a batch through the trainer (Trainer::load_rows / load_batch), which also takes this
// rank's share of it in data-parallel training. Private to api/trainer.cpp.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include "api/data/batch_queue.hpp"
#include "api/trainer.hpp"
#include "strata/error.hpp"
#include "strata/random.hpp"

namespace strata {

namespace detail {
/// Keras's warning when steps_per_epoch asks for more batches than the data holds (rank 0 only).
void warn_ran_out_of_data();
}  // namespace detail

// Where a loop's batches come from. Each epoch: begin_epoch, load(0), load(1) ... until it
// returns false or steps() are done, end_epoch.
class Trainer::Source {
 public:
  virtual ~Source() = default;
  // Batches per epoch, or 0 when the data does not say (a generator without steps_per_epoch).
  virtual std::int64_t steps() const = 0;
  virtual void begin_epoch() {}
  // Uploads batch `step` of the epoch; false when the data ran out.
  virtual bool load(std::int64_t step) = 0;
  virtual void end_epoch() {}
};

// Samples of host arrays, batch_size at a time: `rows` (all of them in order when empty, the
// contiguous range [begin, end) then), reshuffled per pass when `shuffle`. With steps_per_epoch
// an epoch takes the next batches of the current pass and a pass ends when its batches run out,
// as Keras's EpochIterator.
class Trainer::ArraySource : public Trainer::Source {
 public:
  ArraySource(Trainer& trainer, const Feed& x, const Feed* y, const Array* weights, std::int64_t begin,
              std::int64_t end, std::vector<std::int64_t> rows, int batch_size, bool shuffle,
              std::optional<std::int64_t> steps_per_epoch)
      : trainer_(trainer),
        x_(x),
        y_(y),
        weights_(weights),
        begin_(begin),
        rows_(std::move(rows)),
        samples_(rows_.empty() ? end - begin : static_cast<std::int64_t>(rows_.size())),
        batch_size_(batch_size),
        shuffle_(shuffle),
        steps_per_epoch_(steps_per_epoch),
        batches_per_pass_((samples_ + batch_size - 1) / batch_size) {
    if (shuffle_ && rows_.empty()) {
      rows_.resize(static_cast<std::size_t>(samples_));
      std::iota(rows_.begin(), rows_.end(), begin_);
    }
    if (shuffle_) unshuffled_ = rows_;
  }
  std::int64_t steps() const override { return steps_per_epoch_.value_or(batches_per_pass_); }
  void begin_epoch() override {
    if (steps_per_epoch_ && cursor_ > 0) return;  // the pass goes on
    cursor_ = 0;
    // Each pass shuffles the samples afresh (not the last pass's order), so a pass's order
    // depends only on the generator's state: a run resumed from a backup shuffles as the
    // uninterrupted one did.
    if (shuffle_) {
      rows_ = unshuffled_;
      std::shuffle(rows_.begin(), rows_.end(), detail::global_rng());
    }
  }
  bool load(std::int64_t) override {
    if (cursor_ >= batches_per_pass_) {
      if (steps_per_epoch_) detail::warn_ran_out_of_data();
      return false;
    }
    const std::int64_t first = cursor_ * batch_size_;
    trainer_.load_rows(x_, y_, weights_, begin_, rows_, first, std::min<std::int64_t>(batch_size_, samples_ - first));
    ++cursor_;
    return true;
  }
  void end_epoch() override {
    if (cursor_ >= batches_per_pass_) cursor_ = 0;  // the next epoch starts a new pass
  }

 private:
  Trainer& trainer_;
  const Feed& x_;
  const Feed* y_;
  const Array* weights_;
  std::int64_t begin_;
  std::vector<std::int64_t> rows_, unshuffled_;
  std::int64_t samples_;
  std::int64_t batch_size_;
  bool shuffle_;
  std::optional<std::int64_t> steps_per_epoch_;
  std::int64_t batches_per_pass_;
  std::int64_t cursor_ = 0;
};

// A PyDataset's batches, in a shuffled order when asked, made ahead by its workers.
class Trainer::DatasetSource : public Trainer::Source {
 public:
  DatasetSource(Trainer& trainer, PyDataset& data, bool shuffle, bool with_targets,
                const std::map<int, double>& class_weight, std::optional<std::int64_t> steps)
      : trainer_(trainer),
        data_(data),
        shuffle_(shuffle),
        with_targets_(with_targets),
        class_weight_(class_weight),
        steps_(steps ? std::min(*steps, data.size()) : data.size()) {
    STRATA_CHECK(data.size() >= 0, ValueError, "A PyDataset's size() must not be negative, received ", data.size());
  }
  std::int64_t steps() const override { return steps_; }
  void begin_epoch() override {
    std::vector<std::int64_t> order(static_cast<std::size_t>(data_.size()));
    std::iota(order.begin(), order.end(), 0);
    if (shuffle_) std::shuffle(order.begin(), order.end(), detail::global_rng());
    order.resize(static_cast<std::size_t>(steps_));
    queue_ = std::make_unique<detail::BatchQueue>(data_, std::move(order));
  }
  bool load(std::int64_t) override {
    std::optional<Batch> batch = queue_->next();
    if (!batch) return false;
    trainer_.load_batch(*batch, with_targets_, class_weight_);
    return true;
  }
  void end_epoch() override {
    queue_.reset();
    data_.on_epoch_end();
  }

 private:
  Trainer& trainer_;
  PyDataset& data_;
  bool shuffle_, with_targets_;
  const std::map<int, double> class_weight_;  // a copy: callers pass temporaries
  std::int64_t steps_;
  std::unique_ptr<detail::BatchQueue> queue_;
};

// A generator's batches: one stream across epochs, cut into epochs of steps_per_epoch batches,
// or one epoch per pass until it runs dry.
class Trainer::GeneratorSource : public Trainer::Source {
 public:
  GeneratorSource(Trainer& trainer, const BatchGenerator& generator, std::optional<std::int64_t> steps_per_epoch,
                  const std::map<int, double>& class_weight)
      : trainer_(trainer),
        queue_(generator, std::nullopt, 10, true),
        steps_per_epoch_(steps_per_epoch),
        class_weight_(class_weight) {}
  std::int64_t steps() const override { return steps_per_epoch_.value_or(0); }
  bool load(std::int64_t) override {
    // A generator that ran dry stays dry, as a Python generator does.
    if (!pending_ && !dry_) pending_ = queue_.next();
    if (!pending_) {
      if (steps_per_epoch_ && !dry_) detail::warn_ran_out_of_data();
      dry_ = true;
      return false;
    }
    trainer_.load_batch(*pending_, true, class_weight_);
    pending_.reset();
    return true;
  }
  // The first batch, taken early to build the model from its shapes.
  const Batch* peek() {
    if (!pending_) pending_ = queue_.next();
    return pending_ ? &*pending_ : nullptr;
  }

 private:
  Trainer& trainer_;
  detail::BatchQueue queue_;
  std::optional<std::int64_t> steps_per_epoch_;
  const std::map<int, double> class_weight_;  // a copy: callers pass temporaries
  std::optional<Batch> pending_;
  bool dry_ = false;
};

}  // namespace strata
