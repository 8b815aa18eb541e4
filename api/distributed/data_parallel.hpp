#pragma once
// What the trainer does differently when several processes train one model (see
// strata/distributed.hpp for the user's view): it splits each global batch, sums the gradients
// across ranks in buckets while backward runs, sums the loss and metric states when logs are
// read, and brings every rank to the same decision at fixed points of the loop.
//
// Failures: a rank never leaves the sequence of collectives alone. Work that may throw runs in
// guard(); the exception is kept, the rank skips further guarded work but still joins the next
// collectives, and the next agreement (agree(), or finish_step's status beside the gradient
// sums) tells every rank, which then all raise: the failing rank its own error, the others a
// DistributedError with its rank and message.

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/engine/tape.hpp"
#include "strata/tensor.hpp"

namespace strata {
class Model;
class Optimizer;
struct Variable;
}  // namespace strata

namespace strata::detail {

class DataParallel : public GradientObserver {
 public:
  /// What a rank brings to an agreement; each flag comes back as the OR over the ranks.
  struct Flags {
    bool want_logs = false;    // some rank's callbacks read this batch's logs
    bool out_of_data = false;  // some rank's source ran dry: nobody applies this step
    bool stop = false;         // some rank's model.stop_training
    bool empty_share = false;  // some rank holds no row of this batch
  };

  DataParallel();

  /// Runs `work` unless an earlier guarded piece failed; keeps what it throws.
  template <class Work>
  void guard(Work&& work) {
    if (failure_) return;
    try {
      work();
    } catch (...) {
      failure_ = std::current_exception();
    }
  }
  /// Every rank's flags, OR-ed; raises on every rank when any rank has a failure.
  Flags agree(const Flags& mine, std::string_view where);

  /// The start of fit: checks every rank has the same model and data (else DistributedError
  /// naming the first rank that differs), builds the optimizer, then gives every rank rank 0's
  /// weights, optimizer variables, random generator state and `resume_epoch`.
  void synchronize(Model& model, const std::vector<Variable*>& trainable, std::int64_t steps,
                   std::optional<int>& resume_epoch);

  /// This rank's share [first, end) of global rows [first, first + count).
  std::pair<std::int64_t, std::int64_t> share(std::int64_t first, std::int64_t count) const;

  /// Groups the trainable variables into buckets (last layer first, as backward completes them),
  /// and notes whether some layer of `model` sums across ranks inside the step.
  void prepare(Model& model, const std::vector<Variable*>& trainable);
  /// Whether layers sum across ranks during forward and backward (synchronized
  /// BatchNormalization): then every rank must run every step, with at least one row.
  bool layers_communicate() const { return layers_communicate_; }
  /// Before a step's backward: this rank holds `fraction` of the global batch (its gradients are
  /// weighted by it in the sum).
  void begin_step(double fraction);
  void gradients_ready(Layer& layer) override;
  /// After backward (every trainable gradient written, zeros where none arrived): starts the
  /// buckets not yet started and the step's agreement, waits, and writes the summed gradients
  /// back. Raises when a rank failed.
  Flags finish_step(const Flags& mine);

  /// Sums `states` (loss trackers, metric states) across ranks, calls `read`, then puts each
  /// rank's own states back so they keep accumulating locally.
  void with_global_states(const std::vector<Tensor>& states, const std::function<void()>& read);

 private:
  struct Bucket {
    std::vector<Variable*> variables;
    std::vector<std::size_t> offsets;
    std::size_t ready = 0;
    std::vector<float> data;
  };
  void start_ready_buckets();
  void start_bucket(Bucket& bucket);
  [[noreturn]] void raise_failure(int failed_rank);

  std::exception_ptr failure_;
  std::vector<Bucket> buckets_;
  std::unordered_map<const Variable*, std::size_t> bucket_of_;
  std::size_t next_bucket_ = 0;
  std::int64_t status_[5] = {};
  double step_started_ = 0.0;
  std::vector<float> stash_, sums_;
  bool layers_communicate_ = false;
};

/// The fit's DataParallel when this process trains with others, else null.
std::unique_ptr<DataParallel> make_data_parallel();

/// Whether a built-in callback that writes (files, the console) should do so here: on rank 0.
bool writes_here();

}  // namespace strata::detail
