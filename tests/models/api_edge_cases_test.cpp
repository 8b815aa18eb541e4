// The public API's answers to absurd arguments, with Keras's wording where Keras has one
// (measured with Keras 3.x; the crash-proofing of the same and many more mistakes is
// tests/bad_inputs/).

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

#include "strata/strata.hpp"

using namespace strata;

namespace {
constexpr std::int64_t k2to40 = std::int64_t(1) << 40;
constexpr std::int64_t k2to62 = std::int64_t(1) << 62;
}  // namespace

TEST_CASE("count_params before a build raises as Keras does", "[models][errors]") {
  Dense dense(2, "linear", {.name = "unbuilt_dense"});
  CHECK_THROWS_MATCHES(dense.count_params(), StateError,
                       Catch::Message("You tried to call `count_params` on layer 'unbuilt_dense', but the layer isn't "
                                      "built. You can build it manually via: `layer.build(input_shape)`."));
  Sequential model({Dense(2)});
  CHECK_THROWS_AS(model.count_params(), StateError);
  dense.build(Shape{kNone, 3});
  CHECK(dense.count_params() == 3 * 2 + 2);
}

TEST_CASE("A weight too large to hold names the layer, the weight and its shape", "[models][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dense dense(k2to40, "linear", {.name = "huge"});
  CHECK_THROWS_AS(dense(Input({k2to40})), ResourceExhaustedError);
  CHECK_THROWS_WITH(dense(Input({k2to40})),
                    Catch::Contains("Layer \"huge\" cannot create its weight \"huge/kernel\" of shape "
                                    "(1099511627776, 1099511627776): a tensor of shape") &&
                        Catch::Contains("more elements than fit in 64 bits"));
  // The model around the layer passes the message on without prefixing its own name.
  CHECK_THROWS_WITH(Sequential({Input({k2to40}), Dense(k2to40, "linear", {.name = "huge_in_model"})}),
                    Catch::StartsWith("Layer \"huge_in_model\" cannot create its weight"));
}

TEST_CASE("An output shape that overflows names the layer and the size", "[models][errors]") {
  CHECK_THROWS_MATCHES(UpSampling2D(4, {.name = "up"})(Input({k2to62, 4, 1})), ResourceExhaustedError,
                       Catch::Message("Layer \"up\" (UpSampling2D) has no output shape for input shape (None, "
                                      "4611686018427387904, 4, 1): UpSampling2D's output height overflows 64 bits "
                                      "(4611686018427387904 * 4)"));
  CHECK_THROWS_WITH(Flatten({.name = "flat"})(Input({k2to40, k2to40})),
                    Catch::Contains("Flatten's output size overflows 64 bits"));
  CHECK_THROWS_AS(Conv2D(1, 3, "linear", {.dilation_rate = k2to62})(Input({8, 8, 1})), ResourceExhaustedError);
  CHECK_THROWS_AS(Concatenate()({Input({k2to62 * 2 - 1}), Input({k2to62 * 2 - 1})}), ResourceExhaustedError);
}

TEST_CASE("Input and Reshape refuse impossible sizes in Keras's words", "[models][errors]") {
  CHECK_THROWS_MATCHES(Input({-5}), ValueError,
                       Catch::Message("Cannot convert '(-5,)' to a shape. Negative dimensions are not allowed."));
  CHECK_THROWS_AS(Input({3, 0}), ValueError);
  CHECK_THROWS_MATCHES(Reshape({-1, -1}), ValueError,
                       Catch::Message("There must be at most one unknown dimension (-1) in `target_shape`. Received: "
                                      "target_shape=(-1, -1)."));
  CHECK_THROWS_WITH(Reshape({-2, 2}), Catch::StartsWith("Each dimension in `target_shape` must be a positive integer"));
  CHECK_THROWS_MATCHES(Reshape({3, 3}, {.name = "r"})(Input({4})), ShapeError,
                       Catch::Message("The total size of the tensor must be unchanged. Received: input_shape=(4,), "
                                      "target_shape=(3, 3) (layer \"r\")"));
}

TEST_CASE("fit refuses a validation_split that leaves a part empty, in Keras's words", "[models][fit][errors]") {
  Sequential model({Input({4}), Dense(1)});
  model.compile("sgd", "mse");
  const xt::xarray<float> x = xt::ones<float>({8, 4}), y = xt::ones<float>({8, 1});
  CHECK_THROWS_MATCHES(model.fit(x, y, {.verbose = 0, .validation_split = 1.0}), ValueError,
                       Catch::Message("Training data contains 8 samples, which is not sufficient to split it into a "
                                      "validation and training set as specified by `validation_split=1.0`. Either "
                                      "provide more data, or a different value for the `validation_split` argument."));
  CHECK_THROWS_WITH(model.fit(x, y, {.verbose = 0, .validation_split = -0.1}),
                    Catch::Contains("`validation_split=-0.1`"));
  CHECK_THROWS_AS(model.fit(x, y, {.verbose = 0, .validation_split = -1e300}), ValueError);
  // Keras reads batch_size=0 as its default, 32, and refuses nothing else than negative ones.
  CHECK(model.fit(xt::ones<float>({40, 4}), xt::ones<float>({40, 1}), {.batch_size = 0, .verbose = 0})
            .params.at("steps") == 2);
  CHECK_THROWS_AS(model.predict(x, {.batch_size = -1, .verbose = 0}), ValueError);
  // Keras accepts epochs <= 0 and trains nothing.
  CHECK(model.fit(x, y, {.epochs = 0, .verbose = 0}).epoch.empty());
  CHECK(model.fit(x, y, {.verbose = 0, .validation_split = 0.25}).history.count("val_loss") == 1);
}

TEST_CASE("Sequential takes the same layer twice and shares it, as Keras does", "[models][sequential]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dense dense(4);
  Sequential model({Input({4}), dense, dense});
  CHECK(model.layers().size() == 2);
  CHECK(model.weights().size() == 2);
  CHECK(model.count_params() == 4 * 4 + 4);
  model.compile("sgd", "mse");
  const History history = model.fit(xt::ones<float>({8, 4}), xt::ones<float>({8, 4}), {.verbose = 0});
  CHECK(std::isfinite(history.history.at("loss").at(0)));
  // Two different layers under one name are still refused.
  CHECK_THROWS_WITH(
      Sequential({Input({4}), Dense(4, "linear", {.name = "same"}), Dense(4, "linear", {.name = "same"})}),
      Catch::StartsWith("All layers added to a Sequential model should have unique names."));
}
