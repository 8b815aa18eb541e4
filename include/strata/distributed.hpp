#pragma once
/// @file
/// Data-parallel training across processes, on MPI: start the same program N times with MPI's
/// launcher (one machine, or several through a hostfile), call strata::distributed::init()
/// first, and `fit` trains one model on N shards of the data:
///
///     mpirun -np 4 ./train
///
/// ```cpp
/// strata::distributed::init();  // joins the MPI job; a no-op in a plain process
/// Sequential model({...});
/// model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
/// model.fit(x_train, y_train, {.batch_size = 64, .epochs = 5});  // 64 = the global batch
/// ```
///
/// What fit does then, on every process (a "rank"):
/// - at the start, checks that every rank built the same model (a DistributedError names the
///   rank that differs) and copies rank 0's weights, optimizer state and random generator state
///   to the others;
/// - each global batch of `batch_size` samples (the same shuffled order on every rank) is split
///   into equal shares, one per rank; `batch_size` must divide by size(); a last short batch is
///   split as evenly as it goes (a rank may get none);
/// - gradients are summed across the ranks, weighted by each rank's share of the batch, in a few
///   large buckets started while backward still runs, before clipping and the update: every
///   rank applies the same update to the same weights;
/// - the loss and the metrics are the whole batch's and the whole epoch's (their states are sums
///   and counts, added across the ranks when the logs are read), so rank 0's progress bar and
///   every rank's History show the global figures; validation and evaluate are split and summed
///   the same way; predict, train_on_batch and test_on_batch run whole on every rank;
/// - callbacks run on every rank and see the same logs, so EarlyStopping and the like decide
///   alike; only rank 0 prints, and the built-in callbacks that write files (ModelCheckpoint,
///   BackupAndRestore, CSVLogger, TensorBoard) write on rank 0 only. A callback of your own that
///   writes should check is_primary();
/// - Dropout masks differ from rank to rank (the rank is folded into the seed) and repeat from
///   run to run; BatchNormalization keeps each rank's statistics unless `synchronized`;
/// - a rank whose batch, step or callback throws makes every rank stop at the same point: that
///   rank raises its own error, the others a DistributedError naming it and its message. A rank
///   that dies is reported by mpirun ("process rank 1 ... exited on signal 9"), which ends the
///   others at once. A rank that stops answering (stuck in a loop of its own, or an exception
///   thrown inside synchronized BatchNormalization's step) is found by the others' deadline:
///   after STRATA_DISTRIBUTED_TIMEOUT seconds (default 300) waiting for it, a rank prints what
///   it waited for and ends the job (MPI_Abort), since collectives in flight cannot be
///   cancelled.
///
/// Without MPI in the build (or before init, or in a process mpirun did not start) size() is 1
/// and everything runs as in a plain process.

#include <cstdint>

namespace strata::distributed {

/// Joins the MPI job this process was started in (mpirun, or a launcher that sets the PMI
/// environment); a no-op in a plain process. Call it once, first thing in main; later calls do
/// nothing. MPI is finalized when the process exits.
void init();
/// This process's rank in the job: 0 .. size() - 1 (0 in a plain process).
int rank();
/// The number of processes training together (1 in a plain process).
int size();
/// Whether this is rank 0, the one that prints and writes files.
bool is_primary();
/// Whether this build of Strata has MPI (CMake found it: STRATA_WITH_MPI).
bool built_with_mpi();

/// What the data-parallel steps cost so far in this process (all fits together).
struct Stats {
  std::int64_t steps = 0;            ///< training steps whose gradients were summed across ranks
  std::int64_t bytes = 0;            ///< gradient bytes each rank sent into the sums
  double seconds_in_backward = 0.0;  ///< forward and backward, while buckets were already in flight
  double seconds_waiting = 0.0;      ///< after backward, until every bucket's sum had arrived
};
/// The Stats of this process so far (zeros in a process that trained alone).
Stats stats();

}  // namespace strata::distributed
