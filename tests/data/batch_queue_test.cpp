#include "api/data/batch_queue.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

#include "strata/error.hpp"

using namespace strata;
using strata::detail::BatchQueue;

namespace {

// Batch i holds the single value i, so the order batches arrive in is visible.
Batch numbered(std::int64_t index) {
  Batch batch;
  batch.x.push_back(xt::xarray<float>({static_cast<float>(index)}));
  return batch;
}

// A data set whose get() sleeps a random few hundred microseconds (so concurrent gets finish
// out of order), counts the gets running at once and the gets started, and can be told to
// fail at one index.
struct Recorder : PyDataset {
  Recorder(std::int64_t batches, PyDatasetOptions options) : PyDataset(options), batches(batches) {}
  std::int64_t size() const override { return batches; }
  Batch get(std::int64_t index) override {
    ++started;
    const int now = ++running;
    int seen = most_running.load();
    while (now > seen && !most_running.compare_exchange_weak(seen, now)) {
    }
    int delay = 0;
    {
      std::lock_guard lock(mutex);
      delay = std::uniform_int_distribution<int>(0, 400)(random);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    --running;
    if (index == fail_at) throw IOError("shard " + std::to_string(index) + " is unreadable");
    if (index == fail_plain_at) throw std::runtime_error("plain failure");
    return numbered(index);
  }
  std::int64_t batches;
  std::int64_t fail_at = -1;
  std::int64_t fail_plain_at = -1;
  std::atomic<int> running{0}, most_running{0};
  std::atomic<std::int64_t> started{0};
  std::mutex mutex;  // guards the random engine
  std::mt19937 random{7};
};

std::vector<std::int64_t> range(std::int64_t n) {
  std::vector<std::int64_t> indices(static_cast<std::size_t>(n));
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

std::vector<float> drain(BatchQueue& queue) {
  std::vector<float> seen;
  while (auto batch = queue.next()) seen.push_back(batch->x.at(0)(0));
  return seen;
}

}  // namespace

TEST_CASE("BatchQueue hands out a PyDataset's batches in the order of the indices", "[data][batch_queue]") {
  for (int workers : {1, 2, 8}) {
    INFO("workers " << workers);
    Recorder data(40, {.workers = workers, .max_queue_size = 6});
    std::vector<std::int64_t> order = range(40);
    std::shuffle(order.begin(), order.end(), std::mt19937(3));
    BatchQueue queue(data, order);
    const std::vector<float> seen = drain(queue);
    REQUIRE(seen.size() == order.size());
    for (std::size_t i = 0; i < order.size(); ++i) REQUIRE(seen[i] == static_cast<float>(order[i]));
    REQUIRE_FALSE(queue.next());  // stays finished
    REQUIRE(data.started == 40);
  }
}

TEST_CASE("BatchQueue never has more than max_queue_size batches claimed ahead", "[data][batch_queue]") {
  Recorder data(30, {.workers = 8, .max_queue_size = 3});
  BatchQueue queue(data, range(30));
  for (std::int64_t handed = 1; handed <= 30; ++handed) {
    REQUIRE(queue.next());
    // Give the workers time to run ahead as far as they are allowed to; the bound must hold.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(data.started <= handed + 3);
  }
  REQUIRE_FALSE(queue.next());
  REQUIRE(data.most_running <= 3);
  REQUIRE(data.most_running >= 1);
}

TEST_CASE("BatchQueue with one worker calls get on the calling thread, one batch at a time", "[data][batch_queue]") {
  Recorder data(5, {});
  BatchQueue queue(data, range(5));
  REQUIRE(data.started == 0);  // nothing is made before it is asked for
  REQUIRE(queue.next());
  REQUIRE(data.started == 1);
  REQUIRE(drain(queue).size() == 4);
}

TEST_CASE("BatchQueue rethrows a get's error in order, with its type and the batch named", "[data][batch_queue]") {
  for (int workers : {1, 4}) {
    INFO("workers " << workers);
    Recorder data(20, {.workers = workers, .max_queue_size = 5});
    data.fail_at = 7;
    BatchQueue queue(data, range(20));
    for (int i = 0; i < 7; ++i) REQUIRE(queue.next()->x.at(0)(0) == static_cast<float>(i));
    try {
      queue.next();
      FAIL("no error");
    } catch (const IOError& e) {
      REQUIRE(std::string(e.what()) == "PyDataset::get(7) (batch 7 of the epoch): shard 7 is unreadable");
    }
    REQUIRE_FALSE(queue.next());
  }
  Recorder plain(4, {.workers = 2});
  plain.fail_plain_at = 2;
  std::vector<std::int64_t> order{3, 2, 1, 0};
  BatchQueue queue(plain, order);
  REQUIRE(queue.next());
  REQUIRE_THROWS_MATCHES(queue.next(), ValueError,
                         Catch::Matchers::Message("PyDataset::get(2) (batch 1 of the epoch): it threw plain failure"));
  REQUIRE_THROWS_AS(BatchQueue(plain, {0, 4}), ValueError);  // an index past size()
}

TEST_CASE("BatchQueue destroyed mid-epoch stops its workers, also while they wait for space", "[data][batch_queue]") {
  Recorder data(1000, {.workers = 4, .max_queue_size = 2});
  {
    BatchQueue queue(data, range(1000));
    REQUIRE(queue.next());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the workers fill the queue and wait
  }
  REQUIRE(data.started <= 3);
  REQUIRE(data.running == 0);
  {
    BatchQueue untouched(data, range(1000));  // destroyed before any next()
  }
  REQUIRE(data.running == 0);
}

TEST_CASE("BatchQueue pulls a generator in order, ahead in the background or on the caller", "[data][batch_queue]") {
  for (bool background : {false, true}) {
    INFO("background " << background);
    std::int64_t made = 0;
    BatchGenerator generator = [&]() -> std::optional<Batch> {
      if (made == 12) return std::nullopt;
      return numbered(made++);
    };
    BatchQueue whole(generator, std::nullopt, 3, background);
    const std::vector<float> seen = drain(whole);
    REQUIRE(seen.size() == 12);
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == static_cast<float>(i));

    // A limit stops pulling: the generator's state carries on into the next queue.
    made = 0;
    {
      BatchQueue first(generator, 5, 2, background);
      REQUIRE(drain(first) == std::vector<float>{0, 1, 2, 3, 4});
    }
    REQUIRE(made == 5);
    BatchQueue second(generator, 5, 2, background);
    REQUIRE(drain(second) == std::vector<float>{5, 6, 7, 8, 9});
  }
}

TEST_CASE("BatchQueue's background generator stays within max_queue_size and stops when destroyed",
          "[data][batch_queue]") {
  std::atomic<std::int64_t> made{0};
  BatchGenerator endless = [&]() -> std::optional<Batch> { return numbered(made++); };
  {
    BatchQueue queue(endless, std::nullopt, 4, true);
    for (std::int64_t handed = 1; handed <= 10; ++handed) {
      REQUIRE(queue.next()->x.at(0)(0) == static_cast<float>(handed - 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      REQUIRE(made <= handed + 4);
    }
  }
  const std::int64_t at_stop = made;
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  REQUIRE(made == at_stop);
}

TEST_CASE("BatchQueue rethrows a generator's error after the batches before it", "[data][batch_queue]") {
  for (bool background : {false, true}) {
    INFO("background " << background);
    int calls = 0;
    BatchGenerator failing = [&]() -> std::optional<Batch> {
      if (calls == 2) throw ShapeError("rows differ");
      return numbered(calls++);
    };
    BatchQueue queue(failing, std::nullopt, 2, background);
    REQUIRE(queue.next());
    REQUIRE(queue.next());
    REQUIRE_THROWS_MATCHES(queue.next(), ShapeError,
                           Catch::Matchers::Message("batch generator (batch 2): rows differ"));
    REQUIRE_FALSE(queue.next());
  }
}
