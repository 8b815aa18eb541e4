// Shows that a PyDataset's workers overlap loading with the step: a data set whose get() sleeps
// `load_ms` per batch (a disk read, a decode) is drained by the batch queue while a simulated
// step sleeps `step_ms` per batch, with 1 worker (loading and stepping in turn: about
// batches * (load + step)) and with 4 (loading hidden behind the step: about batches * max(step,
// load / 4) plus the first load).
//
//     dataset_overlap [batches=40] [load_ms=20] [step_ms=20]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <thread>

#include "api/data/batch_queue.hpp"

namespace {

struct SlowShards : strata::PyDataset {
  SlowShards(std::int64_t batches, int load_ms, int workers)
      : PyDataset({.workers = workers, .max_queue_size = 8}), batches(batches), load_ms(load_ms) {}
  std::int64_t size() const override { return batches; }
  strata::Batch get(std::int64_t index) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(load_ms));
    strata::Batch batch;
    batch.x.push_back(xt::xarray<float>({static_cast<float>(index)}));
    return batch;
  }
  std::int64_t batches;
  int load_ms;
};

double drain_seconds(std::int64_t batches, int load_ms, int step_ms, int workers) {
  SlowShards data(batches, load_ms, workers);
  std::vector<std::int64_t> order(static_cast<std::size_t>(batches));
  std::iota(order.begin(), order.end(), 0);
  const auto start = std::chrono::steady_clock::now();
  strata::detail::BatchQueue queue(data, order);
  while (queue.next()) std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t batches = argc > 1 ? std::atoll(argv[1]) : 40;
  const int load_ms = argc > 2 ? std::atoi(argv[2]) : 20;
  const int step_ms = argc > 3 ? std::atoi(argv[3]) : 20;
  const double load_total = static_cast<double>(batches) * load_ms / 1000.0;
  const double step_total = static_cast<double>(batches) * step_ms / 1000.0;
  std::printf("%lld batches, get() sleeps %d ms, the step sleeps %d ms\n", static_cast<long long>(batches), load_ms,
              step_ms);
  std::printf("sleep totals: loading %.3f s, steps %.3f s, both in turn %.3f s\n", load_total, step_total,
              load_total + step_total);
  for (int workers : {1, 4}) {
    const double seconds = drain_seconds(batches, load_ms, step_ms, workers);
    std::printf("workers=%d: %.3f s for the epoch, %.0f%% of the loading hidden behind the steps\n", workers, seconds,
                100.0 * (load_total + step_total - seconds) / load_total);
  }
}
