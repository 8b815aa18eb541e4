#pragma once
// The process group fit trains across: MPI's world, duplicated into a communicator of Strata's
// own (a program's own MPI calls never match Strata's), or a group of one in a plain process
// and in a build without MPI (no_communicator.cpp), where every collective is the identity.
//
// Collectives are started without blocking and then waited for together, so gradient buckets
// overlap backward and a step's status travels beside its last bucket. Every wait polls with a
// deadline (STRATA_DISTRIBUTED_TIMEOUT): a peer that stopped answering becomes a
// DistributedError, never a hang. Only the thread that called init() may use these (MPI is
// initialised with MPI_THREAD_FUNNELED); all ranks must start the same collectives in the same
// order.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::detail::comm {

/// Whether distributed::init() joined an MPI job (of any size, one included).
bool joined();
/// Whether distributed::init() joined a job of more than one process.
bool active();
int rank();
int size();
/// Whether this process was started by an MPI launcher (whether or not init() was called).
bool launched_by_mpi();

/// data[i] = the sum over ranks of data[i], in place, once waited for.
void start_sum(float* data, std::size_t count);
/// data[i] = the maximum over ranks of data[i], in place, once waited for.
void start_max(std::int64_t* data, std::size_t count);
/// Every rank's `bytes` get root's, once waited for.
void start_broadcast(void* data, std::size_t bytes, int root);
/// all[r * bytes .. (r + 1) * bytes) = rank r's `mine`, once waited for.
void start_allgather(const void* mine, void* all, std::size_t bytes);
/// Lets started collectives advance (MPI progresses them only inside its calls).
void progress();
/// Waits for every started collective; `what` names them in a timeout's message.
void wait_all(std::string_view what);

inline void sum(float* data, std::size_t count, std::string_view what) {
  start_sum(data, count);
  wait_all(what);
}
inline void max(std::int64_t* data, std::size_t count, std::string_view what) {
  start_max(data, count);
  wait_all(what);
}
inline void broadcast(void* data, std::size_t bytes, int root, std::string_view what) {
  start_broadcast(data, bytes, root);
  wait_all(what);
}
inline void allgather(const void* mine, void* all, std::size_t bytes, std::string_view what) {
  start_allgather(mine, all, bytes);
  wait_all(what);
}

}  // namespace strata::detail::comm
