// The process group of a build without MPI: one process, every collective the identity.
#include <cstdlib>
#include <cstring>

#include "api/distributed/communicator.hpp"
#include "strata/distributed.hpp"

namespace strata {

namespace detail::comm {

bool joined() { return false; }
bool active() { return false; }
int rank() { return 0; }
int size() { return 1; }

void start_sum(float*, std::size_t) {}
void start_max(std::int64_t*, std::size_t) {}
void start_broadcast(void*, std::size_t, int) {}
void start_allgather(const void* mine, void* all, std::size_t bytes) { std::memcpy(all, mine, bytes); }
void progress() {}
void wait_all(std::string_view) {}

}  // namespace detail::comm

namespace distributed {

void init() {}
int rank() { return 0; }
int size() { return 1; }
bool is_primary() { return true; }
bool built_with_mpi() { return false; }

}  // namespace distributed
}  // namespace strata
