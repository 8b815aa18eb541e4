#include "api/distributed/data_parallel.hpp"

#include <zlib.h>

#include <cxxabi.h>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <typeinfo>

#include "api/distributed/communicator.hpp"
#include "api/distributed/rank_context.hpp"
#include "strata/backend.hpp"
#include "strata/distributed.hpp"
#include "strata/error.hpp"
#include "strata/layer.hpp"
#include "strata/layers/batch_normalization.hpp"
#include "strata/model.hpp"
#include "strata/optimizers/optimizer.hpp"
#include "strata/random.hpp"
#include "strata/variable.hpp"

namespace strata {

namespace {

double current_fraction = 1.0;

distributed::Stats& stats_so_far() {
  static distributed::Stats stats;
  return stats;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Buckets of about this many bytes: large enough that a sum costs its bandwidth rather than its
// latency, small enough that the last layers' sums run while backward reaches the first ones.
// STRATA_DP_BUCKET_BYTES overrides it (the bench's knob).
std::size_t bucket_bytes() {
  static const std::size_t bytes = [] {
    const char* text = std::getenv("STRATA_DP_BUCKET_BYTES");
    const long long value = text ? std::atoll(text) : 0;
    return value > 0 ? std::size_t(value) : std::size_t{1} << 20;
  }();
  return bytes;
}

// "strata::ValueError: the message" for an exception a rank kept.
std::string describe(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    int status = 0;
    char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    std::string out = (status == 0 && name ? std::string(name) : std::string(typeid(e).name())) + ": " + e.what();
    std::free(name);
    return out;
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

std::uint32_t crc_of(const std::string& text) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
}

// What must agree across ranks before they train together: the model's weights (kind, shape and
// trainability, in order) and the optimizer's class. Not the layers' names: those count the
// layers a process made before, which may differ from rank to rank.
std::string model_signature(Model& model) {
  std::ostringstream out;
  for (const Variable* v : model.weights()) out << v->name << v->value.shape().to_string() << v->trainable << ';';
  out << model.optimizer().class_name();
  return out.str();
}

// Appends (or, reading, fills) every tensor's elements.
void gather(const std::vector<Tensor>& tensors, std::vector<float>& host) {
  host.clear();
  for (const Tensor& t : tensors) {
    const std::size_t at = host.size();
    host.resize(at + static_cast<std::size_t>(t.size()));
    t.backend().download(t, host.data() + at);
  }
}
void scatter(const std::vector<float>& host, std::vector<Tensor>& tensors) {
  std::size_t at = 0;
  for (Tensor& t : tensors) {
    t.backend().upload(host.data() + at, t);
    at += static_cast<std::size_t>(t.size());
  }
}

}  // namespace

namespace distributed {
Stats stats() { return stats_so_far(); }
}  // namespace distributed

namespace detail {

bool writes_here() { return comm::rank() == 0; }

double step_fraction() { return comm::active() ? current_fraction : 1.0; }

std::unique_ptr<DataParallel> make_data_parallel() {
  if (comm::active()) return std::make_unique<DataParallel>();
  static bool warned = false;
  if (comm::launched_by_mpi() && !comm::joined() && !warned) {
    warned = true;
    // One write: the launcher passes each write on as a line of its own.
    std::cerr << detail::concat(
        "WARNING: this process was started by an MPI launcher but trains alone: call "
        "strata::distributed::init() first for data-parallel training",
        distributed::built_with_mpi() ? "" : " (and build Strata with MPI: STRATA_WITH_MPI)", ".\n");
  }
  return nullptr;
}

DataParallel::DataParallel() = default;

DataParallel::Flags DataParallel::agree(const Flags& mine, std::string_view where) {
  std::int64_t status[5] = {failure_ ? comm::size() - comm::rank() : 0, mine.want_logs, mine.out_of_data, mine.stop,
                            mine.empty_share};
  comm::max(status, 5, where);
  if (status[0] != 0) raise_failure(int(comm::size() - status[0]));
  return {status[1] != 0, status[2] != 0, status[3] != 0, status[4] != 0};
}

void DataParallel::raise_failure(int failed_rank) {
  // The lowest failing rank's message, for everyone else's error.
  std::string text = comm::rank() == failed_rank ? describe(failure_) : std::string();
  std::int64_t length = static_cast<std::int64_t>(text.size());
  comm::broadcast(&length, sizeof length, failed_rank, "the failure message's length");
  text.resize(static_cast<std::size_t>(length));
  comm::broadcast(text.data(), text.size(), failed_rank, "the failure message");
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  throw DistributedError(
      detail::concat("rank ", failed_rank, " of ", comm::size(), " failed, so every rank stops: ", text));
}

void DataParallel::synchronize(Model& model, const std::vector<Variable*>& trainable, std::int64_t steps,
                               std::optional<int>& resume_epoch) {
  // 1. The same model and the same amount of data everywhere, or a clear error on every rank.
  const std::uint32_t signature = crc_of(model_signature(model));
  const std::int64_t mine[2] = {std::int64_t(signature), steps};
  std::vector<std::int64_t> all(2 * static_cast<std::size_t>(comm::size()));
  comm::allgather(mine, all.data(), sizeof mine, "the model check");
  for (int r = 1; r < comm::size(); ++r) {
    if (all[2 * r] != all[0])
      throw DistributedError(detail::concat("rank ", r,
                                            " built a different model from rank 0's (its weights' kinds, "
                                            "shapes or order, or its optimizer, differ): every rank must run the same "
                                            "program on the same model"));
    if (all[2 * r + 1] != all[1])
      throw DistributedError(detail::concat("rank ", r, " has ", all[2 * r + 1], " batches per epoch and rank 0 has ",
                                            all[1],
                                            ": every rank must be given the same data (each takes its share "
                                            "of every batch)"));
  }
  // A failure kept from on_train_begin (a backup that would not load) stops everyone here.
  agree({}, "the start of training");

  // 2. Rank 0's state everywhere: weights, the optimizer's variables (built first, so a rank
  // that loaded a checkpoint and one that did not hold the same variables), its step count and
  // learning rate, the random generator (the shuffles), and where training resumes.
  Optimizer& optimizer = model.optimizer();
  optimizer.build(trainable);
  std::vector<Tensor> tensors;
  for (Variable* v : model.weights()) tensors.push_back(v->value);
  for (const Variable* v : optimizer.variables()) tensors.push_back(v->value);
  std::vector<float> host;
  gather(tensors, host);
  comm::broadcast(host.data(), host.size() * sizeof(float), 0, "rank 0's weights");
  scatter(host, tensors);

  std::ostringstream rng_out;
  rng_out << detail::global_rng();
  std::string rng = rng_out.str();
  const bool scheduled = optimizer.learning_rate_schedule() != nullptr;
  double scalars[4] = {double(optimizer.apply_count()), scheduled ? 0.0 : optimizer.learning_rate(),
                       resume_epoch ? double(*resume_epoch) : -1.0, double(rng.size())};
  comm::broadcast(scalars, sizeof scalars, 0, "rank 0's optimizer state");
  rng.resize(static_cast<std::size_t>(scalars[3]));
  comm::broadcast(rng.data(), rng.size(), 0, "rank 0's random generator");
  optimizer.set_iterations(static_cast<std::int64_t>(scalars[0]));
  if (!scheduled) optimizer.set_learning_rate(scalars[1]);
  resume_epoch = scalars[2] >= 0 ? std::optional<int>(int(scalars[2])) : std::nullopt;
  std::istringstream rng_in(rng);
  rng_in >> detail::global_rng();
}

std::pair<std::int64_t, std::int64_t> DataParallel::share(std::int64_t first, std::int64_t count) const {
  const std::int64_t r = comm::rank(), n = comm::size();
  return {first + count * r / n, first + count * (r + 1) / n};
}

namespace {
bool has_synchronized_batch_norm(const Layer& layer) {
  const auto* norm = dynamic_cast<const BatchNormalization*>(&layer);
  if (norm && norm->options().synchronized && norm->trainable()) return true;
  for (const Layer* sublayer : layer.sublayers())
    if (has_synchronized_batch_norm(*sublayer)) return true;
  return false;
}
}  // namespace

void DataParallel::prepare(Model& model, const std::vector<Variable*>& trainable) {
  layers_communicate_ = has_synchronized_batch_norm(model);
  buckets_.clear();
  bucket_of_.clear();
  std::size_t bytes = 0;
  // Backward completes the last layers first: the buckets follow the variables in reverse.
  for (auto it = trainable.rbegin(); it != trainable.rend(); ++it) {
    Variable* v = *it;
    if (buckets_.empty() || bytes >= bucket_bytes()) {
      buckets_.emplace_back();
      bytes = 0;
    }
    Bucket& bucket = buckets_.back();
    bucket.offsets.push_back(bucket.data.size());
    bucket.variables.push_back(v);
    bucket.data.resize(bucket.data.size() + static_cast<std::size_t>(v->value.size()));
    bytes += static_cast<std::size_t>(v->value.size()) * sizeof(float);
    bucket_of_[v] = buckets_.size() - 1;
  }
}

void DataParallel::begin_step(double fraction) {
  current_fraction = fraction;
  next_bucket_ = 0;
  for (Bucket& bucket : buckets_) bucket.ready = 0;
  step_started_ = now_seconds();
}

void DataParallel::start_bucket(Bucket& bucket) {
  // Each rank's gradient is the mean over its share: weighted by the share's fraction of the
  // global batch, the sum over ranks is the mean over the whole batch.
  for (std::size_t i = 0; i < bucket.variables.size(); ++i) {
    const Tensor& grad = bucket.variables[i]->grad;
    grad.backend().download(grad, bucket.data.data() + bucket.offsets[i]);
  }
  const auto weight = static_cast<float>(current_fraction);
  for (float& value : bucket.data) value *= weight;
  comm::start_sum(bucket.data.data(), bucket.data.size());
  stats_so_far().bytes += static_cast<std::int64_t>(bucket.data.size() * sizeof(float));
}

void DataParallel::start_ready_buckets() {
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].ready == buckets_[next_bucket_].variables.size())
    start_bucket(buckets_[next_bucket_++]);
}

void DataParallel::gradients_ready(Layer& layer) {
  for (const auto& variable : layer.own_variables()) {
    const auto it = bucket_of_.find(variable.get());
    if (it != bucket_of_.end()) ++buckets_[it->second].ready;
  }
  // Buckets start in their order on every rank (collectives must match), whatever order a
  // rank's backward completes them in.
  start_ready_buckets();
  comm::progress();
}

DataParallel::Flags DataParallel::finish_step(const Flags& mine) {
  const double backward_done = now_seconds();
  for (Bucket& bucket : buckets_) bucket.ready = bucket.variables.size();
  start_ready_buckets();
  status_[0] = failure_ ? comm::size() - comm::rank() : 0;
  status_[1] = mine.want_logs;
  status_[2] = mine.out_of_data;
  status_[3] = mine.stop;
  status_[4] = mine.empty_share;
  comm::start_max(status_, 5);
  comm::wait_all("the gradient sums");
  distributed::Stats& stats = stats_so_far();
  stats.seconds_in_backward += backward_done - step_started_;
  stats.seconds_waiting += now_seconds() - backward_done;
  if (status_[0] != 0) raise_failure(int(comm::size() - status_[0]));
  const Flags flags{status_[1] != 0, status_[2] != 0, status_[3] != 0, status_[4] != 0};
  if (flags.out_of_data) return flags;
  ++stats.steps;
  for (Bucket& bucket : buckets_)
    for (std::size_t i = 0; i < bucket.variables.size(); ++i) {
      Tensor& grad = bucket.variables[i]->grad;
      grad.backend().upload(bucket.data.data() + bucket.offsets[i], grad);
    }
  return flags;
}

void DataParallel::with_global_states(const std::vector<Tensor>& states, const std::function<void()>& read) {
  gather(states, stash_);
  // A metric never updated on one rank has no state there yet: the layouts must agree before
  // any sum.
  std::int64_t sizes[2] = {std::int64_t(stash_.size()), -std::int64_t(stash_.size())};
  comm::max(sizes, 2, "the metric state sizes");
  if (sizes[0] != -sizes[1])
    throw DistributedError(detail::concat("the ranks' metric states differ in size (", -sizes[1], " to ", sizes[0],
                                          " values): a rank that saw no batch yet cannot report metrics"));
  sums_ = stash_;
  comm::sum(sums_.data(), sums_.size(), "the metric sums");
  std::vector<Tensor> targets = states;
  scatter(sums_, targets);
  try {
    read();
  } catch (...) {
    scatter(stash_, targets);
    throw;
  }
  scatter(stash_, targets);
}

}  // namespace detail
}  // namespace strata
