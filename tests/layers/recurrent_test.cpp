// SimpleRNN, LSTM and GRU: the layer checklist on every backend (gradients of the weights, of
// the input and of the initial states against central differences, with masks and
// go_backwards; config round trips), training with fit, and the errors by their text. Keras's
// own numbers are checked in sequence_golden_test.cpp (tests/golden/recurrent.json).

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"
#include "support/messages.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

// A recurrent layer of each kind, fresh for every call.
std::shared_ptr<Layer> make(const std::string& kind, bool sequences, bool backwards, bool reset_after = true) {
  if (kind == "SimpleRNN")
    return std::make_shared<SimpleRNN>(3, SimpleRNNOptions{.return_sequences = sequences, .go_backwards = backwards});
  if (kind == "LSTM")
    return std::make_shared<LSTM>(3, LSTMOptions{.return_sequences = sequences, .go_backwards = backwards});
  return std::make_shared<GRU>(
      3, GRUOptions{.reset_after = reset_after, .return_sequences = sequences, .go_backwards = backwards});
}

}  // namespace

TEST_CASE("Recurrent layers: gradients against central differences", "[layers][recurrent][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  const std::string kind = GENERATE(as<std::string>(), "SimpleRNN", "LSTM", "GRU");
  const bool reset_after = GENERATE(true, false);
  if (kind != "GRU" && !reset_after) return;
  INFO(kind << (reset_after ? "" : " reset_after=false") << " on " << current_backend().name());
  set_random_seed(5);
  SECTION("input through a Dense layer, every step's output, both directions") {
    for (const bool backwards : {false, true}) {
      auto x = Input({4, 2});
      auto h = Dense(3, "tanh")(x);  // dx of the recurrent layer reaches this kernel
      auto rnn = make(kind, true, backwards, reset_after);
      Model model(x, (*rnn)(h));
      check_model_gradients(model, {random_array({2, 4, 2}, 3)});
    }
  }
  SECTION("masked steps, last output") {
    auto tokens = Input({5}, {.dtype = "int32"});
    auto h = Embedding(7, 2, {.mask_zero = true})(tokens);
    auto rnn = make(kind, false, false, reset_after);
    Model model(tokens, (*rnn)(h));
    check_model_gradients(model, {xt::xarray<float>({{1, 2, 0, 3, 0}, {4, 0, 0, 0, 0}, {5, 6, 1, 2, 3}})});
  }
  SECTION("initial states made by layers") {
    auto x = Input({3, 2});
    auto s = Input({4});
    std::vector<Tensor> inputs{x, Dense(3, "tanh")(s)};
    if (kind == "LSTM") inputs.push_back(Dense(3)(s));
    auto rnn = make(kind, false, true, reset_after);
    Model model({x, s}, (*rnn)(std::span<const Tensor>(inputs)));
    check_model_gradients(model, {random_array({2, 3, 2}, 8), random_array({2, 4}, 9)});
  }
}

TEST_CASE("Recurrent layers: config round trips and Keras's weight shapes", "[layers][recurrent]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  check_config_round_trip(factory<SimpleRNN>(4, SimpleRNNOptions{.activation = "relu", .return_sequences = true}),
                          Shape{2, 3, 5});
  check_config_round_trip(factory<LSTM>(4, LSTMOptions{.unit_forget_bias = false, .go_backwards = true}),
                          Shape{2, 3, 5});
  check_config_round_trip(factory<GRU>(4, GRUOptions{.reset_after = false}), Shape{2, 3, 5});
  LSTM lstm(6);
  lstm.build(Shape{kNone, 7, 5});
  const auto w = lstm.weights();
  REQUIRE(w.size() == 3);
  CHECK(w[0]->value.shape() == Shape{5, 24});
  CHECK(w[1]->value.shape() == Shape{6, 24});
  CHECK(w[2]->value.shape() == Shape{24});
  // unit_forget_bias: the forget gate's block of the bias starts at 1, the others at 0.
  const auto bias = to_host(w[2]->value);
  for (std::size_t j = 0; j < 24; ++j) CHECK(bias(j) == (j >= 6 && j < 12 ? 1.f : 0.f));
  // Orthogonal recurrent kernel: the columns of each (6, 24) block are orthonormal rows of Q^T.
  const auto u = to_host(w[1]->value);
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t k = 0; k < 6; ++k) {
      double dot = 0;
      for (std::size_t j = 0; j < 24; ++j) dot += double(u(i, j)) * u(k, j);
      CHECK(dot == Approx(i == k ? 1.0 : 0.0).margin(1e-5));
    }
  GRU gru(2);
  gru.build(Shape{kNone, 3, 4});
  CHECK(gru.weights()[2]->value.shape() == Shape{2, 6});
}

TEST_CASE("An LSTM classifier trains with fit", "[layers][recurrent][fit]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  // The label: whether the sequence's first half sums to more than its second half.
  const std::size_t rows = 128, steps = 6;
  xt::xarray<float> x = random_array({rows, steps, 1}, 21);
  xt::xarray<float> y = xt::zeros<float>({rows});
  for (std::size_t i = 0; i < rows; ++i) {
    float first = 0, second = 0;
    for (std::size_t t = 0; t < steps; ++t) (t < steps / 2 ? first : second) += x(i, t, 0);
    y(i) = first > second ? 1.f : 0.f;
  }
  set_random_seed(4);
  Sequential model({Input({6, 1}), LSTM(8), Dense(1, "sigmoid")});
  model.compile(optimizers::Adam(0.02), "binary_crossentropy", {"accuracy"});
  const History history = model.fit(x, y, {.batch_size = 16, .epochs = 40, .verbose = 0});
  CHECK(history.history.at("loss").back() < 0.5 * history.history.at("loss").front());
  CHECK(model.evaluate(x, y, {.verbose = 0}).at("accuracy") >= 0.9);
}

TEST_CASE("Recurrent layers: errors by their text", "[layers][recurrent][errors]") {
  CHECK(message_of([] { LSTM(4, {.return_state = true, .name = "encoder"}); }) ==
        "LSTM \"encoder\": return_state is not supported yet (Strata's layers have one output); build the states you "
        "need from return_sequences");
  CHECK(message_of([] { GRU(4, {.dropout = 0.2f, .name = "g"}); }) ==
        "GRU \"g\": dropout and recurrent_dropout are not supported by Strata's recurrent layers yet; put a Dropout "
        "layer before or after it instead");
  CHECK(message_of([] { SimpleRNN(4, {.stateful = true, .name = "s"}); }) ==
        "SimpleRNN \"s\": stateful is not supported yet");
  CHECK(message_of([] { LSTM(4, {.activation = "gelu", .name = "l"}); }) ==
        "LSTM \"l\": `activation=\"gelu\"` is not supported by Strata's recurrent cells yet; they take \"tanh\", "
        "\"sigmoid\", \"relu\" or \"linear\"");
  CHECK(message_of([] { LSTM(0); }).starts_with("Received an invalid value for argument `units`"));
  auto x = Input({5, 3});
  auto h0 = Input({4});
  LSTM lstm(6, {.name = "l6"});
  CHECK(message_of([&] {
          (void)lstm({x, h0, h0});
        }) ==
        "LSTM \"l6\": an initial state must have shape (batch, 6); received (None, 4) for an input of shape (None, 5, "
        "3)");
  CHECK(message_of([&] {
          (void)LSTM(4, {.name = "l4"})({x, h0});
        }).starts_with("LSTM \"l4\" takes its input and, optionally, its 2 initial states"));
  CHECK(message_of([&] { (void)LSTM(4, {.name = "flat"})(Input({5})); }).find("expected min_ndim=3") !=
        std::string::npos);
}

TEST_CASE("Recurrent layers: a NaN in a sequence stays visible in its sample only", "[layers][recurrent][nan]") {
  set_backend(GENERATE(from_range(available_backends())));
  const std::string kind = GENERATE(as<std::string>(), "SimpleRNN", "LSTM", "GRU");
  INFO(kind << " on " << current_backend().name());
  set_random_seed(2);
  auto layer = make(kind, true, false);
  xt::xarray<float> x = random_array({3, 4, 2}, 5);
  x(1, 2, 0) = std::numeric_limits<float>::quiet_NaN();
  const auto y = to_host((*layer)(from_host(current_backend(), x)));
  for (std::size_t t = 0; t < 4; ++t)
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(std::isfinite(y(0, t, j)));
      CHECK(std::isfinite(y(2, t, j)));
      // The NaN reaches sample 1's outputs from its step on, and none before.
      CHECK(std::isnan(y(1, t, j)) == (t >= 2));
    }
}
