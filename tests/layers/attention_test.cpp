// MultiHeadAttention: the layer checklist on every backend (gradients of every input and weight
// against central differences, with masks, a key, the causal mask and an attention_mask;
// config round trips through Keras's JSON), what the masks mean, training with fit, dropout,
// and the errors by their text. Keras's own numbers are checked in sequence_golden_test.cpp
// (tests/golden/attention.json).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "strata/saving.hpp"
#include "strata/strata.hpp"
#include "support/layer_checks.hpp"
#include "support/messages.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using namespace strata::testing;

TEST_CASE("MultiHeadAttention: gradients against central differences", "[layers][attention][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(7);
  SECTION("query and value, each input's gradient") {
    MultiHeadAttention mha(2, 3);
    const Shape shapes[] = {{2, 4, 5}, {2, 3, 6}};
    check_gradients_inputs(mha, shapes);
  }
  SECTION("query, value and a key of its own, value_dim and output_shape") {
    MultiHeadAttention mha(3, 2, {.value_dim = 4, .output_shape = 5});
    const Shape shapes[] = {{2, 4, 5}, {2, 3, 6}, {2, 3, 2}};
    check_gradients_inputs(mha, shapes);
  }
  SECTION("self-attention through a Dense layer, causal, no bias") {
    auto x = Input({5, 3});
    auto h = Dense(4, "tanh")(x);  // the gradient of both uses of h reaches this kernel
    Model model(x, MultiHeadAttention(2, 2, {.use_bias = false})(h, h, {.use_causal_mask = true}));
    check_model_gradients(model, {random_array({2, 5, 3}, 3)});
  }
  SECTION("masks from Embedding(mask_zero), read by GlobalAveragePooling1D") {
    auto tokens = Input({5}, {.dtype = "int32"});
    auto h = Embedding(8, 4, {.mask_zero = true})(tokens);
    h = MultiHeadAttention(2, 3)(h, h);
    Model model(tokens, GlobalAveragePooling1D()(h));
    check_model_gradients(model, {xt::xarray<float>({{1, 2, 0, 3, 0}, {4, 0, 0, 0, 0}, {5, 6, 1, 2, 3}})});
  }
  SECTION("an attention_mask input") {
    auto q = Input({3, 4});
    auto v = Input({4, 4});
    auto m = Input({3, 4});
    Model model({q, v, m}, MultiHeadAttention(2, 2)(Dense(4)(q), Dense(4)(v), {.attention_mask = m}));
    xt::xarray<float> mask = {{{1, 0, 1, 1}, {0, 0, 0, 0}, {1, 1, 0, 1}}, {{0, 1, 1, 0}, {1, 1, 1, 1}, {1, 0, 0, 0}}};
    check_model_gradients(model, {random_array({2, 3, 4}, 4), random_array({2, 4, 4}, 5), mask});
  }
}

TEST_CASE("MultiHeadAttention: masks mean what Keras's do", "[layers][attention][masking]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(3);
  const auto x = random_array({2, 5, 4}, 11);
  SECTION("causal: a step's output does not depend on later steps") {
    auto in = Input({5, 4});
    Model model(in, MultiHeadAttention(2, 3)(in, in, {.use_causal_mask = true}));
    auto changed = x;
    for (std::size_t j = 0; j < 4; ++j) changed(0, 3, j) += 1.f;
    const auto a = model.predict(x, {.verbose = 0});
    const auto b = model.predict(changed, {.verbose = 0});
    for (std::size_t t = 0; t < 5; ++t)
      for (std::size_t j = 0; j < 4; ++j) {
        CHECK((a(0, t, j) == b(0, t, j)) == (t < 3));
        CHECK(a(1, t, j) == b(1, t, j));
      }
  }
  SECTION("a masked key is never attended to; the output carries the query's mask") {
    auto tokens = Input({4}, {.dtype = "int32"});
    auto e = Embedding(6, 4, {.mask_zero = true})(tokens);
    auto y = MultiHeadAttention(2, 3)(e, e);
    REQUIRE(y.mask() != nullptr);
    Model model(tokens, y);
    // Changing what the masked (padding) embedding row holds leaves the kept steps unchanged.
    const xt::xarray<float> ids = {{1, 2, 0, 0}, {3, 0, 4, 5}};
    const auto a = model.predict(ids, {.verbose = 0});
    auto table = model.layers()[1]->weights()[0];
    auto rows = to_host(table->value);
    for (std::size_t j = 0; j < 4; ++j) rows(0, j) += 3.f;
    current_backend().upload(rows.data(), table->value);
    const auto b = model.predict(ids, {.verbose = 0});
    for (std::size_t s = 0; s < 2; ++s)
      for (std::size_t t = 0; t < 4; ++t)
        if (ids(s, t) != 0)
          for (std::size_t j = 0; j < 4; ++j) CHECK(a(s, t, j) == Approx(b(s, t, j)).margin(1e-6));
  }
}

TEST_CASE("MultiHeadAttention: Keras's weights, config round trip through JSON", "[layers][attention]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(9);
  auto q = Input({4, 6});
  auto v = Input({3, 7});
  auto k = Input({3, 2}, {.name = "k"});
  MultiHeadAttention mha(3, 5, {.value_dim = 2, .output_shape = 8, .name = "mha"});
  Model model({q, v, k}, mha(q, v, {.key = k, .use_causal_mask = true}));
  const auto w = mha.weights();
  REQUIRE(w.size() == 8);
  CHECK(w[0]->path == "mha/query/kernel");
  CHECK(w[0]->value.shape() == Shape{6, 3, 5});
  CHECK(w[1]->value.shape() == Shape{3, 5});
  CHECK(w[2]->value.shape() == Shape{2, 3, 5});
  CHECK(w[4]->value.shape() == Shape{7, 3, 2});
  CHECK(w[5]->value.shape() == Shape{3, 2});
  CHECK(w[6]->path == "mha/attention_output/kernel");
  CHECK(w[6]->value.shape() == Shape{3, 2, 8});
  CHECK(w[7]->value.shape() == Shape{8});
  CHECK(model.output_shape() == Shape{kNone, 4, 8});

  const std::string json = model.to_json();
  const auto config = nlohmann::json::parse(json);
  for (const auto& layer : config["config"]["layers"])
    if (layer["class_name"] == "MultiHeadAttention") {
      CHECK(layer["inbound_nodes"][0]["args"].size() == 2);
      CHECK(layer["inbound_nodes"][0]["kwargs"]["use_causal_mask"] == true);
      CHECK(layer["inbound_nodes"][0]["kwargs"]["key"]["config"]["keras_history"][0] == "k");
      CHECK(layer["build_config"]["shapes_dict"].contains("key_shape"));
    }
  auto rebuilt = model_from_json(json);
  const auto weights = model.weights();
  const auto rebuilt_weights = rebuilt->weights();
  REQUIRE(rebuilt_weights.size() == weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) current_backend().copy(weights[i]->value, rebuilt_weights[i]->value);
  const std::vector<xt::xarray<float>> inputs = {random_array({2, 4, 6}, 1), random_array({2, 3, 7}, 2),
                                                 random_array({2, 3, 2}, 3)};
  const auto a = model.predict(Arrays(inputs), {.verbose = 0});
  const auto b = rebuilt->predict(Arrays(inputs), {.verbose = 0});
  CHECK(a == b);
  CHECK(nlohmann::json::parse(rebuilt->to_json()) == config);
}

TEST_CASE("A Transformer encoder trains with fit", "[layers][attention][fit]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  // The label: whether the first token appears again later in the sequence (attention finds it).
  const std::size_t rows = 192, steps = 6;
  xt::xarray<float> ids = xt::zeros<float>({rows, steps});
  xt::xarray<float> y = xt::zeros<float>({rows});
  std::mt19937 rng(5);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t t = 0; t < steps; ++t) ids(i, t) = static_cast<float>(1 + rng() % 6);
    bool again = false;
    for (std::size_t t = 1; t < steps; ++t) again = again || ids(i, t) == ids(i, 0);
    y(i) = again ? 1.f : 0.f;
  }
  set_random_seed(4);
  auto tokens = Input({6}, {.dtype = "int32"});
  auto h = Embedding(7, 16)(tokens);
  auto a = MultiHeadAttention(2, 8, {.dropout = 0.1f})(h, h);
  h = LayerNormalization()(Add()({h, a}));
  h = Dense(16, "relu")(h);
  Model model(tokens, Dense(1, "sigmoid")(Flatten()(h)));
  model.compile(optimizers::Adam(0.01), "binary_crossentropy", {"accuracy"});
  const History history = model.fit(ids, y, {.batch_size = 32, .epochs = 30, .verbose = 0});
  CHECK(history.history.at("loss").back() < 0.5 * history.history.at("loss").front());
  CHECK(model.evaluate(ids, y, {.verbose = 0}).at("accuracy") >= 0.9);
}

TEST_CASE("MultiHeadAttention: dropout acts in training only", "[layers][attention][dropout]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  MultiHeadAttention mha(2, 3, {.dropout = 0.5f, .seed = 3});
  const auto q = from_host(current_backend(), random_array({2, 4, 5}, 1));
  const auto inference_a = to_host(mha(q, q));
  const auto inference_b = to_host(mha(q, q, {.training = false}));
  CHECK(inference_a == inference_b);
  const auto training = to_host(mha(q, q, {.training = true}));
  CHECK(training != inference_a);
}

TEST_CASE("MultiHeadAttention: a NaN stays visible", "[layers][attention][nan]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(2);
  MultiHeadAttention mha(2, 3);
  xt::xarray<float> x = random_array({2, 4, 3}, 5);
  x(1, 2, 0) = std::numeric_limits<float>::quiet_NaN();
  const auto t = from_host(current_backend(), x);
  const auto y = to_host(mha(t, t));
  // Every query of sample 1 attends to the NaN step; sample 0 is untouched.
  for (std::size_t s = 0; s < 4; ++s)
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(std::isfinite(y(0, s, j)));
      CHECK(std::isnan(y(1, s, j)));
    }
}

TEST_CASE("MultiHeadAttention: errors by their text", "[layers][attention][errors]") {
  CHECK(message_of([] { MultiHeadAttention(0, 4); }) ==
        "Received an invalid value for argument `num_heads`, expected a positive integer. Received: num_heads=0");
  CHECK(message_of([] { MultiHeadAttention(2, -1); }) ==
        "Received an invalid value for argument `key_dim`, expected a positive integer. Received: key_dim=-1");
  auto q = Input({4, 6});
  auto v = Input({5, 6});
  auto k = Input({3, 6});
  CHECK(message_of([&] { (void)MultiHeadAttention(2, 3)(q, v, {.key = k}); }) ==
        "All dimensions of `value` and `key`, except the last one, must be equal. Received: value_shape=(None, 5, 6) "
        "and key_shape=(None, 3, 6)");
  CHECK(message_of([&] {
          (void)MultiHeadAttention(2, 3, {.name = "flat"})(Input({6}), Input({6}));
        }).starts_with("MultiHeadAttention 'flat': Strata attends over one axis of (batch, steps, features) inputs"));
  auto m = Input({4, 2});
  CHECK(message_of([&] {
          auto out = MultiHeadAttention(2, 3, {.name = "m"})(q, v, {.attention_mask = m});
          Model model({q, v, m}, out);
          (void)model.predict(
              Arrays({random_array({1, 4, 6}, 1), random_array({1, 5, 6}, 2), random_array({1, 4, 2}, 3)}),
              {.verbose = 0});
        }).starts_with("MultiHeadAttention 'm': the attention_mask must be (batch, Tq, Tk) = (1, 4, 5)"));
  MultiHeadAttention shared(2, 3, {.name = "shared"});
  (void)shared(q, v);
  CHECK(message_of([&] {
          (void)shared(q, v, {.use_causal_mask = true});
        }).starts_with("MultiHeadAttention 'shared' was called before with other arguments"));
  auto ids = Input({4, 3}, {.dtype = "int32"});
  CHECK(message_of([&] { (void)MultiHeadAttention(2, 3)(ids, ids); }).find("received an int32 input") !=
        std::string::npos);
}

TEST_CASE("Attention and AdditiveAttention: gradients against central differences", "[layers][attention][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(8);
  const Shape two[] = {{2, 3, 4}, {2, 5, 4}};
  const Shape three[] = {{2, 3, 4}, {2, 5, 2}, {2, 5, 4}};
  SECTION("Attention, without and with the scale and a key") {
    Attention plain;
    check_gradients_inputs(plain, two);
    Attention scaled({.use_scale = true});
    check_gradients_inputs(scaled, three);
  }
  SECTION("AdditiveAttention, with and without the scale") {
    AdditiveAttention additive;
    check_gradients_inputs(additive, two);
    AdditiveAttention unscaled({.use_scale = false});
    check_gradients_inputs(unscaled, three);
  }
  SECTION("masks from Embedding(mask_zero) and the causal mask") {
    for (const bool additive : {false, true}) {
      auto tokens = Input({5}, {.dtype = "int32"});
      auto h = Embedding(8, 4, {.mask_zero = true})(tokens);
      auto a = additive ? AdditiveAttention()({h, h}, {.use_causal_mask = true})
                        : Attention({.use_scale = true})({h, h}, {.use_causal_mask = true});
      REQUIRE(a.mask() != nullptr);
      Model model(tokens, GlobalAveragePooling1D()(a));
      check_model_gradients(model, {xt::xarray<float>({{1, 2, 0, 3, 0}, {4, 3, 2, 0, 0}, {5, 6, 1, 2, 3}})});
    }
  }
}

TEST_CASE("Attention and AdditiveAttention: configs and weights as Keras's", "[layers][attention]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  auto q = Input({3, 4});
  auto v = Input({5, 4});
  Attention attention({.use_scale = true, .dropout = 0.25f, .seed = 2, .name = "att"});
  AdditiveAttention additive({.name = "add"});
  Model model({q, v}, Concatenate()({attention({q, v}, {.use_causal_mask = true}), additive({q, v})}));
  REQUIRE(attention.weights().size() == 1);
  CHECK(attention.weights()[0]->value.shape() == Shape{});
  CHECK(to_host(attention.weights()[0]->value)() == 1.f);
  REQUIRE(additive.weights().size() == 1);
  CHECK(additive.weights()[0]->value.shape() == Shape{4});
  const nlohmann::json a = attention.get_config();
  CHECK(a["use_scale"] == true);
  CHECK(a["score_mode"] == "dot");
  CHECK(a["seed"] == 2);
  CHECK(!additive.get_config().contains("score_mode"));
  const std::string json = model.to_json();
  auto rebuilt = model_from_json(json);
  CHECK(nlohmann::json::parse(rebuilt->to_json()) == nlohmann::json::parse(json));
  const auto weights = model.weights();
  const auto rebuilt_weights = rebuilt->weights();
  REQUIRE(rebuilt_weights.size() == weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) current_backend().copy(weights[i]->value, rebuilt_weights[i]->value);
  const std::vector<xt::xarray<float>> inputs = {random_array({2, 3, 4}, 1), random_array({2, 5, 4}, 2)};
  const bool same = model.predict(Arrays(inputs), {.verbose = 0}) == rebuilt->predict(Arrays(inputs), {.verbose = 0});
  CHECK(same);
}

TEST_CASE("Attention and AdditiveAttention: errors by their text", "[layers][attention][errors]") {
  CHECK(message_of([] { Attention({.score_mode = "sum"}); }) ==
        "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=sum");
  CHECK(message_of([] { Attention({.score_mode = "concat", .name = "c"}); }) ==
        "Layer \"c\": score_mode=\"concat\" is not supported yet; Strata computes dot-product scores");
  auto q = Input({3, 4});
  auto v = Input({5, 4});
  auto k = Input({6, 4});
  CHECK(message_of([&] { (void)Attention()({q}); }) ==
        "Attention layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received "
        "length: 1.");
  CHECK(message_of([&] {
          (void)AdditiveAttention({.name = "a"})({q, v, k});
        }) ==
        "AdditiveAttention 'a': the value and the key must have the same steps, received value (None, 5, 4) and key "
        "(None, 6, 4)");
  CHECK(message_of([&] {
          (void)Attention({.name = "d"})({q, v, Input({5, 3})});
        }) ==
        "Attention 'd': the query and the key must have the same last axis, received query (None, 3, 4) and key "
        "(None, 5, 3)");
}
