#include "strata/data/py_dataset.hpp"

#include "strata/error.hpp"

namespace strata {

PyDataset::PyDataset(const PyDatasetOptions& options) : options_(options) {
  STRATA_CHECK(options.workers >= 1, ValueError, "PyDataset: workers must be at least 1, received ", options.workers);
  STRATA_CHECK(options.max_queue_size >= 1, ValueError, "PyDataset: max_queue_size must be at least 1, received ",
               options.max_queue_size);
}

}  // namespace strata
