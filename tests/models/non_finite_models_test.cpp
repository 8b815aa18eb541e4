// Bad numbers and big sizes seen from the user's side, on every backend: a NaN in the data stops
// fit or shows up as NaN in evaluate and predict (never as a plausible number), a tensor too big
// for the machine raises ResourceExhaustedError before any memory is touched, and evaluate and
// predict give their batch-sized buffers back when they return.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "strata/strata.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using strata::testing::random_array;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// A small convnet with every op the issue found dropping NaN: relu fused into a convolution and
// into a dense layer, max pooling, softmax.
Sequential convnet() {
  return Sequential(
      {Input({8, 8, 1}), Conv2D(4, 3, "relu"), MaxPooling2D(2), Flatten(), Dense(8, "relu"), Dense(3, "softmax")});
}

}  // namespace

TEST_CASE("non-finite data: TerminateOnNaN stops at the batch holding a NaN pixel, on every backend",
          "[models][non_finite]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model = convnet();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  xt::xarray<float> x = random_array({64, 8, 8, 1}, 1);
  xt::xarray<float> y = xt::zeros<float>({64});
  x(37, 4, 4, 0) = kNaN;  // batch 2 at batch_size 16, counted from 0
  CHECK_THROWS_WITH(
      model.fit(x, y, {.batch_size = 16, .verbose = 0, .callbacks = callbacks::TerminateOnNaN(true), .shuffle = false}),
      Catch::Contains("NaN or Inf loss encountered at batch 2"));
}

TEST_CASE("non-finite data: evaluate reports nan and predict gives NaN rows, the other rows untouched",
          "[models][non_finite]") {
  set_backend(GENERATE(from_range(available_backends())));
  Sequential model = convnet();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  xt::xarray<float> x = random_array({10, 8, 8, 1}, 2);
  const xt::xarray<float> y = xt::zeros<float>({10});
  const xt::xarray<float> clean = model.predict(x, {.verbose = 0});
  x(3, 0, 0, 0) = kNaN;
  x(6, 7, 7, 0) = std::numeric_limits<float>::infinity();
  const Logs logs = model.evaluate(x, y, {.verbose = 0});
  CHECK(std::isnan(logs.at("loss")));
  const xt::xarray<float> p = model.predict(x, {.verbose = 0});
  for (std::size_t r = 0; r < 10; ++r) {
    INFO("row " << r);
    for (std::size_t c = 0; c < 3; ++c) {
      if (r == 3) {
        CHECK(std::isnan(p(r, c)));
      } else if (r != 6) {
        // Within rounding: the cpu backend takes its exact loops for a batch holding a NaN.
        CHECK(p(r, c) == Approx(clean(r, c)).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("sizes: a tensor larger than the machine raises ResourceExhaustedError naming its shape",
          "[models][non_finite]") {
  for (const std::string& name : available_backends()) {
    Backend& backend = get_backend(name);
    INFO(name);
    const std::size_t before = backend.bytes_in_use();
    try {
      Tensor t(backend, Shape{std::int64_t{1} << 40, 4});  // 16 TiB of float32
      FAIL("allocated 16 TiB");
    } catch (const ResourceExhaustedError& e) {
      CHECK_THAT(e.what(), Catch::Contains("(1099511627776, 4)") && Catch::Contains("17592186044416 bytes"));
    }
    CHECK(backend.bytes_in_use() == before);
  }
}

TEST_CASE("memory: evaluate and predict give their batch buffers back; fit keeps its own", "[models][non_finite]") {
  set_backend(GENERATE(from_range(available_backends())));
  Backend& backend = current_backend();
  Sequential model = convnet();
  model.compile("adam", "sparse_categorical_crossentropy");
  const xt::xarray<float> x = random_array({512, 8, 8, 1}, 3);
  const xt::xarray<float> y = xt::zeros<float>({512});
  model.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0});
  const std::size_t after_fit = backend.bytes_in_use();
  // A batch of 512 convnet activations is far more than the weights and fit's batch-32 buffers.
  // predict also gives back fit's staged batches, so it ends at or below where fit did.
  model.predict(x, {.batch_size = 512, .verbose = 0});
  CHECK(backend.bytes_in_use() <= after_fit);
  model.evaluate(x, y, {.batch_size = 512, .verbose = 0});
  CHECK(backend.bytes_in_use() <= after_fit);
  // fit keeps its buffers between steps: a second fit ends where the first did.
  model.fit(x, y, {.batch_size = 32, .epochs = 1, .verbose = 0});
  CHECK(backend.bytes_in_use() == after_fit);
}
