// Embedding, int32 inputs and masks: the layer checklist on every backend (gradients against
// central differences, config round trips), how masks flow through the engine (Sequential,
// Functional, merges, layers that drop them), training with fit, and the errors by their text.
// Keras's own numbers are checked in sequence_golden_test.cpp.

#include <catch2/catch.hpp>
#include <sstream>

#include "strata/strata.hpp"
#include "strata/tensor_host.hpp"
#include "support/layer_checks.hpp"
#include "support/messages.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

// Token rows with trailing padding: row i keeps its first `length - i` tokens (at least 1).
xt::xarray<float> padded_tokens(std::size_t rows, std::size_t length, float vocab) {
  xt::xarray<float> x = xt::zeros<float>({rows, length});
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t t = 0; t + std::min(i, length - 1) < length; ++t)
      x(i, t) = static_cast<float>(1 + (i * 7 + t * 3) % static_cast<std::size_t>(vocab - 1));
  return x;
}

}  // namespace

TEST_CASE("Embedding: lookup values, float indices truncated as Keras casts them", "[layers][embedding]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  Embedding embedding(4, 2, {.embeddings_initializer = "zeros"});
  const xt::xarray<std::int32_t> indices = {{3, 0, 1}, {2, 2, 3}};
  const Tensor x = from_host(current_backend(), indices);
  embedding.build(x.shape());
  const std::vector<float> table = {0, 1, 10, 11, 20, 21, 30, 31};
  current_backend().upload(table.data(), embedding.weights()[0]->value);
  const auto y = to_host(embedding(x));
  CHECK(y == xt::xarray<float>({{{30, 31}, {0, 1}, {10, 11}}, {{20, 21}, {20, 21}, {30, 31}}}));
  CHECK(embedding(x).mask() == nullptr);  // no mask without mask_zero

  const xt::xarray<float> as_float = {{3.7f, 0.2f, 1.9f}, {2.f, 2.5f, 3.f}};
  CHECK(bool(to_host(embedding(from_host(current_backend(), as_float))) == y));
}

TEST_CASE("Embedding(mask_zero) attaches the mask of nonzero indices", "[layers][embedding][masking]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  Embedding embedding(5, 3, {.mask_zero = true});
  const Tensor x = from_host(current_backend(), xt::xarray<std::int32_t>({{4, 0, 2, 0}, {0, 0, 1, 3}}));
  const Tensor y = embedding(x);
  REQUIRE(y.mask() != nullptr);
  CHECK(bool(to_host(*y.mask()) == xt::xarray<float>({{1, 0, 1, 0}, {0, 0, 1, 1}})));
  // Symbolic: the graph knows the output is masked before any data flows.
  const Tensor tokens = Input({4}, {.dtype = "int32"});
  CHECK(tokens.dtype() == DType::I32);
  const Tensor h = embedding(tokens);
  REQUIRE(h.mask() != nullptr);
  CHECK(h.mask()->shape() == Shape({kNone, 4}));
  CHECK(h.dtype() == DType::F32);
}

TEST_CASE("Embedding and masks: gradients against central differences", "[layers][embedding][masking][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(11);
  SECTION("Embedding(mask_zero) -> Dense per step -> masked GlobalAveragePooling1D -> Dense") {
    auto tokens = Input({6}, {.dtype = "int32"});
    auto h = Embedding(9, 4, {.mask_zero = true})(tokens);
    h = Dense(3, "tanh")(h);
    h = GlobalAveragePooling1D()(h);
    Model model(tokens, Dense(2)(h));
    check_model_gradients(model, {padded_tokens(4, 6, 9)});
  }
  SECTION("repeated indices sum into one row of the table") {
    Sequential model({Input({5}, {.dtype = "int32"}), Embedding(3, 2), Flatten(), Dense(2)});
    check_model_gradients(model, {xt::xarray<float>({{1, 1, 1, 2, 0}, {2, 2, 0, 0, 1}})});
  }
  SECTION("Masking -> Dense per step -> masked GlobalAveragePooling1D") {
    auto series = Input({5, 3});
    auto h = Masking()(series);
    h = Dense(4, "tanh")(h);
    Model model(series, GlobalAveragePooling1D()(h));
    auto x = random_array({3, 5, 3}, 7);
    for (std::size_t f = 0; f < 3; ++f) x(0, 4, f) = x(1, 3, f) = x(1, 4, f) = 0.f;
    check_model_gradients(model, {x});
  }
  SECTION("merged masks: Add and Concatenate of two masked embeddings") {
    auto a = Input({5}, {.dtype = "int32"});
    auto b = Input({5}, {.dtype = "int32"});
    Embedding ea(6, 3, {.mask_zero = true});
    Embedding eb(6, 3, {.mask_zero = true});
    auto added = GlobalAveragePooling1D()(Add()({ea(a), eb(b)}));
    auto joined = GlobalAveragePooling1D()(Concatenate()({ea(a), eb(b)}));
    Model model({a, b}, {Dense(2)(added), Dense(2)(joined)});
    auto xb = padded_tokens(3, 5, 6);
    xb(0, 0) = 0.f;
    check_model_gradients(model, {padded_tokens(3, 5, 6), xb});
  }
}

TEST_CASE("Masking: zeroes the padded steps and their gradients", "[layers][masking]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  Masking masking(-1.f);
  const xt::xarray<float> x = {{{1, 2}, {-1, -1}, {-1, 5}}, {{-1, -1}, {3, 4}, {-1, -1}}};
  const Tensor y = masking(from_host(current_backend(), x));
  CHECK(bool(to_host(y) == xt::xarray<float>({{{1, 2}, {0, 0}, {-1, 5}}, {{0, 0}, {3, 4}, {0, 0}}})));
  REQUIRE(y.mask() != nullptr);
  CHECK(bool(to_host(*y.mask()) == xt::xarray<float>({{1, 0, 1}, {0, 1, 0}})));
  (void)masking(from_host(current_backend(), x), true);
  const Tensor dx = masking.backward(from_host(current_backend(), xt::xarray<float>(xt::ones<float>({2, 3, 2}))), true);
  CHECK(bool(to_host(dx) == xt::xarray<float>({{{1, 1}, {0, 0}, {1, 1}}, {{0, 0}, {1, 1}, {0, 0}}})));
}

TEST_CASE("Embedding and Masking: config round trips", "[layers][embedding][masking]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  check_config_round_trip(factory<Embedding>(10, 4, EmbeddingOptions{.mask_zero = true}), Shape{2, 5});
  check_config_round_trip(factory<Embedding>(7, 3, EmbeddingOptions{.embeddings_regularizer = "l2"}), Shape{2, 4});
  check_config_round_trip(factory<Masking>(0.5f), Shape{2, 3, 4});
  // An int32 Input's dtype survives a model's JSON.
  auto tokens = Input({6}, {.name = "tokens", .dtype = "int32"});
  Model model(tokens, GlobalAveragePooling1D()(Embedding(9, 4, {.mask_zero = true})(tokens)));
  auto rebuilt = model_from_json(model.to_json());
  CHECK(rebuilt->input_dtypes() == std::vector<DType>{DType::I32});
  CHECK(rebuilt->to_json() == model.to_json());
}

TEST_CASE("Masks flow through Sequential models and stop where Keras stops them", "[layers][masking]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  const xt::xarray<float> tokens = padded_tokens(3, 4, 8);
  // The mean of the unmasked steps equals the mean a model computes over the unpadded prefix.
  Sequential masked({Input({4}, {.dtype = "int32"}), Embedding(8, 3, {.mask_zero = true}), Dense(2, "relu"),
                     GlobalAveragePooling1D()});
  const auto y = masked.predict(tokens, {.verbose = 0});
  const auto table = masked.get_weights();
  Sequential per_step({Input({4}, {.dtype = "int32"}), Embedding(8, 3), Dense(2, "relu")});
  per_step.set_weights(table);
  const auto steps = per_step.predict(tokens, {.verbose = 0});
  for (std::size_t i = 0; i < 3; ++i) {
    const std::size_t kept = 4 - i;
    for (std::size_t c = 0; c < 2; ++c) {
      double sum = 0;
      for (std::size_t t = 0; t < kept; ++t) sum += steps(i, t, c);
      CHECK(y(i, c) == Approx(sum / double(kept)).epsilon(1e-6));
    }
  }
  // Flatten does not support masking: it drops the mask and says so once, in Keras's words.
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  auto input = Input({4}, {.dtype = "int32"});
  Flatten flatten({.name = "flat"});
  const Tensor flat = flatten(Embedding(8, 3, {.mask_zero = true})(input));
  (void)flatten(Embedding(8, 3, {.mask_zero = true})(input));
  std::cerr.rdbuf(old);
  CHECK(flat.mask() == nullptr);
  CHECK(captured.str() ==
        "UserWarning: Layer 'flat' (of type Flatten) was passed an input with a mask attached to it. However, this "
        "layer does not support masking and will therefore destroy the mask information. Downstream layers will not "
        "see the mask.\n");
}

TEST_CASE("A model on int32 tokens trains with fit and evaluates", "[layers][embedding][fit]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  // The label is whether token 1 occurs in the unpadded part of the row.
  const std::size_t rows = 96, length = 8;
  xt::xarray<float> x = xt::zeros<float>({rows, length});
  xt::xarray<float> y = xt::zeros<float>({rows});
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t kept = 3 + i % 6;
    for (std::size_t t = 0; t < kept; ++t) x(i, t) = static_cast<float>(2 + (i * 5 + t * 7) % 10);
    if (i % 2 == 0) {
      x(i, (i / 2) % kept) = 1.f;
      y(i) = 1.f;
    }
  }
  set_random_seed(3);
  Sequential model({Input({8}, {.dtype = "int32"}), Embedding(12, 8, {.mask_zero = true}), GlobalAveragePooling1D(),
                    Dense(1, "sigmoid")});
  model.compile(optimizers::Adam(0.02), "binary_crossentropy", {"accuracy"});
  const History history = model.fit(x, y, {.batch_size = 16, .epochs = 60, .verbose = 0});
  CHECK(history.history.at("loss").back() < 0.5 * history.history.at("loss").front());
  CHECK(model.evaluate(x, y, {.verbose = 0}).at("accuracy") >= 0.95);
}

TEST_CASE("Embedding and masks: errors by their text", "[layers][embedding][masking][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  SECTION("an index outside [0, input_dim)") {
    Embedding embedding(10, 2);
    const Tensor x = from_host(current_backend(), xt::xarray<std::int32_t>({{1, 2, 3}, {4, 12, 0}}));
    CHECK(message_of([&] { (void)embedding(x); }) ==
          "indices[1,1] = 12 is not in [0, 10): an Embedding's input must hold indices below its input_dim");
    const Tensor negative = from_host(current_backend(), xt::xarray<std::int32_t>({{-1, 0}}));
    CHECK_THROWS_AS(embedding(negative), ValueError);
  }
  SECTION("integer inputs to a float layer") {
    auto tokens = Input({4}, {.dtype = "int32"});
    CHECK(message_of([&] { (void)Dense(3, "linear", {.name = "dense_probe"})(tokens); }) ==
          "Layer \"dense_probe\" (Dense) received an int32 input: it computes in floating point and takes floating "
          "inputs only. Integer inputs are indices for an Embedding layer; to use them as numbers, give the Input "
          "dtype float32.");
  }
  SECTION("fit refuses a fraction for an int32 input") {
    auto tokens = Input({3}, {.name = "tokens", .dtype = "int32"});
    Model model(tokens, Dense(1)(Flatten()(Embedding(5, 2)(tokens))));
    model.compile("sgd", "mse");
    const xt::xarray<float> x = {{1, 2, 3}, {1, 2.5f, 3}};
    CHECK(message_of([&] {
            model.fit(x, xt::xarray<float>({1.f, 2.f}), {.verbose = 0});
          }) ==
          "Input 'tokens' takes int32 values, but sample 1 holds 2.5 at position 1: integer inputs (indices for an "
          "Embedding) must be whole numbers within int32's range.");
  }
  SECTION("a mask of the wrong shape") {
    GlobalAveragePooling1D pool(false, {.name = "pool"});
    const Tensor x = from_host(current_backend(), xt::xarray<float>(xt::ones<float>({2, 3, 4})));
    const Tensor wrong = from_host(current_backend(), xt::xarray<float>(xt::ones<float>({2, 4})));
    CHECK(message_of([&] { (void)pool(x.with_mask(std::make_shared<Tensor>(wrong))); }) ==
          "Layer \"pool\" (GlobalAveragePooling1D) received a mask of shape (2, 4) for an input of shape (2, 3, 4): a "
          "mask covers the input's steps, the input's shape without its last axis ((2, 3))");
  }
  SECTION("a masked input to a layer that does not apply masks yet") {
    auto tokens = Input({4}, {.dtype = "int32"});
    auto h = Embedding(6, 3, {.mask_zero = true})(tokens);
    CHECK(message_of([&] {
            (void)Softmax(-1, {.name = "soft"})(h);
          }).starts_with("Layer \"soft\" (Softmax) received an input with a mask"));
    CHECK(message_of([&] {
            (void)Multiply({.name = "product"})({h, h});
          }) ==
          "Layer \"product\" (Multiply) received an input with a mask (from Embedding(mask_zero) or Masking). Keras's "
          "Multiply multiplies by 1 at the masked steps and zeroes the steps no input keeps; Strata's does not apply "
          "masks yet. Put it where its input carries no mask.");
  }
  SECTION("an Input of another dtype") {
    CHECK(message_of([] { (void)Input({3}, {.dtype = "bfloat16"}); }) ==
          "An Input's dtype must be float32 or int32, not bfloat16 (mixed precision computes in bfloat16 from float32 "
          "data)");
  }
}
