// After the first step of a shape, a training step asks no backend for memory and creates no
// primitive, whatever the model style: contexts, gradient sums and scratch are pooled by the
// tape.

#include <catch2/catch.hpp>

#include "api/allocation_count.hpp"
#include "strata/strata.hpp"
#include "support/backend_checks.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using strata::testing::random_array;

namespace {

struct WithOps : Model {
  Dense trunk{6, "relu"};
  Dense head{3, "softmax"};
  Tensor call(const Tensor& x, bool training) override {
    Tensor h = trunk(x, training);
    h = ops::tanh(h * 0.5f) + h;  // ops and a tensor used twice
    return head(h);
  }
};

// Allocations made by train_on_batch once the first one (which builds and sizes everything)
// has run; on the cpu backend, no oneDNN primitive is created either.
std::uint64_t steady_allocations(Model& model, const Arrays& x, const Arrays& y) {
  const std::uint64_t start = detail::tensor_allocations();
  model.train_on_batch(x, y);
  CHECK(detail::tensor_allocations() > start);  // the counter sees the first step's buffers
  model.train_on_batch(x, y);
  const bool on_cpu = current_backend().name() == "cpu";
  const std::size_t primitives = on_cpu ? testing::cpu_impl().cached_primitives() : 0;
  const std::uint64_t before = detail::tensor_allocations();
  for (int i = 0; i < 3; ++i) model.train_on_batch(x, y);
  if (on_cpu) CHECK(testing::cpu_impl().cached_primitives() == primitives);
  return detail::tensor_allocations() - before;
}

}  // namespace

TEST_CASE("A steady training step allocates no tensor in any model style", "[engine][allocations]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(30);
  const auto x = random_array({16, 4}, 31);
  xt::xarray<float> y = xt::xarray<float>::from_shape({16});
  for (std::size_t i = 0; i < 16; ++i) y(i) = float(i % 3);

  Sequential sequential({Input({4}), Dense(6, "relu"), Dropout(0.2), Dense(3, "softmax")});
  sequential.compile(optimizers::Adam(1e-3, {.global_clipnorm = 1.0}), "sparse_categorical_crossentropy", {"accuracy"});
  CHECK(steady_allocations(sequential, x, y) == 0);

  auto in = Input({4});
  Dense shared(4, "tanh");
  auto h = Add()({shared(in), shared(shared(in))});
  h = Concatenate()({h, in});
  Model functional(in, Dense(3, "softmax")(h));
  functional.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  CHECK(steady_allocations(functional, x, y) == 0);

  WithOps subclassed;
  subclassed.compile("sgd", "sparse_categorical_crossentropy");
  CHECK(steady_allocations(subclassed, x, y) == 0);
}
