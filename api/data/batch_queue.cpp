#include "api/data/batch_queue.hpp"

namespace strata::detail {

// Batches are made on the calling thread here; the data part's worker pool replaces this.
BatchQueue::BatchQueue(PyDataset& dataset, std::vector<std::int64_t> indices)
    : dataset_(&dataset), indices_(std::move(indices)) {}

BatchQueue::BatchQueue(const BatchGenerator& generator, std::optional<std::int64_t> limit, int, bool)
    : generator_(&generator), limit_(limit) {}

BatchQueue::~BatchQueue() = default;

std::optional<Batch> BatchQueue::next() {
  if (dataset_) {
    if (taken_ >= static_cast<std::int64_t>(indices_.size())) return std::nullopt;
    return dataset_->get(indices_[static_cast<std::size_t>(taken_++)]);
  }
  if (limit_ && taken_ >= *limit_) return std::nullopt;
  ++taken_;
  return (*generator_)();
}

}  // namespace strata::detail
