// Strata's arithmetic flushes subnormal floats to zero, as Keras's TensorFlow and JAX backends
// do (backends/flush_subnormals.hpp), on every backend, in the calling thread and in the thread
// team, and hands the caller's own mode back afterwards.

#include <catch2/catch.hpp>

#include <omp.h>

#include "strata/strata.hpp"

using namespace strata;

namespace {

// A product whose exact value, 1e-39, is subnormal; the compiler cannot fold it.
float subnormal_product() {
  volatile float a = 1e-36f;
  volatile float b = 1e-3f;
  return a * b;
}

}  // namespace

TEST_CASE("Computation flushes subnormal results and operands to zero, and restores the caller's mode",
          "[core][subnormals]") {
  set_backend(GENERATE(from_range(available_backends())));
  const int threads = num_threads();
  set_num_threads(2);  // a team with a worker thread besides the caller
  // The worker starts here, outside Strata, in the IEEE mode (a thread inherits its creator's):
  // Strata must set the mode on it, not rely on having created it.
#pragma omp parallel num_threads(2)
  REQUIRE(omp_get_num_threads() == 2);
  REQUIRE(subnormal_product() > 0.f);  // the caller's IEEE default

  SECTION("a result: 1e-36 * 1e-3 through a Dense kernel, in predict and in an eager call") {
    Dense dense(1, "linear", {.use_bias = false, .kernel_initializer = initializers::Constant(1e-3f)});
    Sequential model({Input({1}), dense});
    const xt::xarray<float> x = xt::ones<float>({2, 1}) * 1e-36f;
    CHECK(model.predict(x)(0, 0) == 0.f);
    CHECK(to_host(dense(from_host(current_backend(), x)))(1, 0) == 0.f);
  }
  SECTION("an operand: 1e-39 + 0 over 200,000 elements, split across the team") {
    const Tensor x = from_host(current_backend(), xt::ones<float>({2, 100000}) * 1e-39f);
    const xt::xarray<float> y = to_host(ops::add(x, 0.f));
    CHECK(y(0, 0) == 0.f);
    CHECK(y(1, 99999) == 0.f);  // the last chunk, computed by the worker thread
  }
  CHECK(subnormal_product() > 0.f);  // the caller's mode is back
  set_num_threads(threads);
}
