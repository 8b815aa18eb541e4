#include <cblas.h>
#include <omp.h>

#include "strata/backend.hpp"
#include "strata/error.hpp"

namespace strata {

namespace {
// Until set_num_threads is called every pool keeps its own default; OpenMP's is the number of
// cores available to the process (it honours OMP_NUM_THREADS and the affinity mask).
int requested_threads = 0;
}  // namespace

void set_num_threads(int n) {
  STRATA_CHECK(n > 0, ValueError, "set_num_threads expects a positive count, received ", n);
  requested_threads = n;
  omp_set_num_threads(n);       // oneDNN (OpenMP runtime) and Strata's own loops
  openblas_set_num_threads(n);  // xtensor-blas under the reference backend
}

int num_threads() { return requested_threads > 0 ? requested_threads : omp_get_max_threads(); }

}  // namespace strata
