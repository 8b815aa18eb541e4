// The process group on MPI (built when CMake finds it; no_communicator.cpp otherwise).
// Only MPI's C API: its deprecated C++ bindings would need libmpi_cxx at link time.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "api/distributed/communicator.hpp"
#include "strata/distributed.hpp"
#include "strata/error.hpp"

namespace strata {

namespace detail::comm {
namespace {

struct Group {
  bool initialized = false;       // init() ran
  bool finalize_at_exit = false;  // Strata called MPI_Init, so it calls MPI_Finalize
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
  std::vector<MPI_Request> pending;
};

Group& group() {
  static Group g;
  return g;
}

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw DistributedError(detail::concat("rank ", group().rank, ": ", call, " failed: ", std::string(text, length)));
}

// STRATA_DISTRIBUTED_TIMEOUT, in seconds (300 when unset or not a positive number).
double timeout_seconds() {
  static const double seconds = [] {
    const char* text = std::getenv("STRATA_DISTRIBUTED_TIMEOUT");
    const double value = text ? std::atof(text) : 0.0;
    return value > 0.0 ? value : 300.0;
  }();
  return seconds;
}

void finalize_at_exit() {
  Group& g = group();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (g.comm != MPI_COMM_NULL) MPI_Comm_free(&g.comm);
  MPI_Finalize();
}

// MPI counts are ints: a larger buffer goes in pieces.
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

}  // namespace

bool joined() { return group().comm != MPI_COMM_NULL; }
bool active() { return group().size > 1; }
int rank() { return group().rank; }
int size() { return group().size; }

void start_sum(float* data, std::size_t count) {
  Group& g = group();
  if (g.size == 1) return;
  for (std::size_t done = 0; done < count; done += kMaxPiece / sizeof(float)) {
    const std::size_t piece = std::min(count - done, kMaxPiece / sizeof(float));
    g.pending.emplace_back();
    check(MPI_Iallreduce(MPI_IN_PLACE, data + done, int(piece), MPI_FLOAT, MPI_SUM, g.comm, &g.pending.back()),
          "MPI_Iallreduce");
  }
}

void start_max(std::int64_t* data, std::size_t count) {
  Group& g = group();
  if (g.size == 1) return;
  g.pending.emplace_back();
  check(MPI_Iallreduce(MPI_IN_PLACE, data, int(count), MPI_INT64_T, MPI_MAX, g.comm, &g.pending.back()),
        "MPI_Iallreduce");
}

void start_broadcast(void* data, std::size_t bytes, int root) {
  Group& g = group();
  if (g.size == 1) return;
  auto* base = static_cast<char*>(data);
  for (std::size_t done = 0; done < bytes; done += kMaxPiece) {
    g.pending.emplace_back();
    check(MPI_Ibcast(base + done, int(std::min(bytes - done, kMaxPiece)), MPI_BYTE, root, g.comm, &g.pending.back()),
          "MPI_Ibcast");
  }
}

void start_allgather(const void* mine, void* all, std::size_t bytes) {
  Group& g = group();
  if (g.size == 1) {
    std::memcpy(all, mine, bytes);
    return;
  }
  STRATA_CHECK(bytes <= kMaxPiece, ValueError, "allgather of ", bytes, " bytes per rank: at most ", kMaxPiece);
  g.pending.emplace_back();
  check(MPI_Iallgather(mine, int(bytes), MPI_BYTE, all, int(bytes), MPI_BYTE, g.comm, &g.pending.back()),
        "MPI_Iallgather");
}

void progress() {
  Group& g = group();
  if (g.pending.empty()) return;
  int done = 0;
  check(MPI_Testall(int(g.pending.size()), g.pending.data(), &done, MPI_STATUSES_IGNORE), "MPI_Testall");
  if (done) g.pending.clear();
}

void wait_all(std::string_view what) {
  Group& g = group();
  if (g.pending.empty()) return;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  for (long polls = 0;; ++polls) {
    int done = 0;
    check(MPI_Testall(int(g.pending.size()), g.pending.data(), &done, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (done) break;
    if (polls < 2000) continue;  // a step's collectives usually finish within microseconds
    const double waited = std::chrono::duration<double>(Clock::now() - start).count();
    if (waited > timeout_seconds()) {
      // The collectives in flight cannot be cancelled and may still write into their buffers,
      // so the process cannot go on: the whole job ends, with the reason.
      // One write: the launcher passes each write on as a line of its own.
      std::cerr << detail::concat(
          "strata: rank ", g.rank, " of ", g.size, ": ", what, " did not complete within ", timeout_seconds(),
          " s (STRATA_DISTRIBUTED_TIMEOUT): another process is stuck or gone; ending the job\n");
      MPI_Abort(g.comm, 1);
    }
    // Oversubscribed ranks (more processes than cores) must leave the core to the rank that is
    // still computing; a long wait (rank 0 writing a checkpoint) need not burn one at all.
    if (waited < 0.05)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  g.pending.clear();
}

}  // namespace detail::comm

namespace distributed {

void init() {
  auto& g = detail::comm::group();
  if (g.initialized) return;
  int already = 0;
  detail::comm::check(MPI_Initialized(&already), "MPI_Initialized");
  if (!already) {
    g.initialized = true;
    // A plain process stays one: MPI's singleton start would spawn a runtime for nothing.
    if (!detail::comm::launched_by_mpi()) return;
    int provided = 0;
    detail::comm::check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    g.finalize_at_exit = true;
    std::atexit(detail::comm::finalize_at_exit);
  }
  g.initialized = true;
  detail::comm::check(MPI_Comm_dup(MPI_COMM_WORLD, &g.comm), "MPI_Comm_dup");
  // Errors come back as codes (and become DistributedError) instead of aborting inside MPI.
  detail::comm::check(MPI_Comm_set_errhandler(g.comm, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  detail::comm::check(MPI_Comm_rank(g.comm, &g.rank), "MPI_Comm_rank");
  detail::comm::check(MPI_Comm_size(g.comm, &g.size), "MPI_Comm_size");
}

int rank() { return detail::comm::rank(); }
int size() { return detail::comm::size(); }
bool is_primary() { return detail::comm::rank() == 0; }
bool built_with_mpi() { return true; }

}  // namespace distributed
}  // namespace strata
