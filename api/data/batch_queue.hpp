#pragma once
// One epoch of a PyDataset's batches (or a generator's), handed out in order, prepared ahead
// on background workers when the data set asks for them.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "strata/data/py_dataset.hpp"

namespace strata::detail {

class BatchQueue {
 public:
  // One epoch of a PyDataset's batches, in the order of `indices`.
  BatchQueue(PyDataset& dataset, std::vector<std::int64_t> indices);
  // A generator's batches, at most `limit` of them when given.
  BatchQueue(const BatchGenerator& generator, std::optional<std::int64_t> limit, int max_queue_size, bool background);
  ~BatchQueue();
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  // The next batch in order, or nullopt after the last.
  std::optional<Batch> next();

 private:
  PyDataset* dataset_ = nullptr;
  const BatchGenerator* generator_ = nullptr;
  std::vector<std::int64_t> indices_;
  std::optional<std::int64_t> limit_;
  std::int64_t taken_ = 0;
};

}  // namespace strata::detail
