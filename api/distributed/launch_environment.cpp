// Whether an MPI launcher started this process: mpirun (Open MPI) or one that sets the PMI or
// PMIx environment (srun, Hydra). Shared by both builds: without MPI, fit warns when each rank
// of an mpirun job would train alone.
#include <cstdlib>

#include "api/distributed/communicator.hpp"

namespace strata::detail::comm {

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "MV2_COMM_WORLD_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

}  // namespace strata::detail::comm
