// Bidirectional and TimeDistributed: Keras's outputs and weight gradients in whole models
// (tests/golden/wrappers.json, written by tests/golden/make_wrapper_goldens.py), Keras's files
// loaded and Keras's weights-file layout written, gradients against central differences on
// every backend, masks, configs, training with fit, and the errors by their text.

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <set>

#include "api/saving/hdf5_file.hpp"
#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/layer_checks.hpp"
#include "support/messages.hpp"
#include "support/model_checks.hpp"
#include "support/temp_dir.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

// Every group and dataset of an HDF5 file, as "path" or "path (shape)".
std::set<std::string> h5_layout(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::byte> bytes;
  for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) bytes.push_back(static_cast<std::byte>(*it));
  const detail::H5Reader reader(std::move(bytes), file);
  std::set<std::string> out;
  const std::function<void(const std::string&)> visit = [&](const std::string& group) {
    for (const std::string& child : reader.children(group)) {
      const std::string path = group.empty() ? child : group + "/" + child;
      if (reader.has_dataset(path)) {
        out.insert(path + " " + Shape(reader.dataset_info(path).shape).to_string());
      } else {
        out.insert(path);
        visit(path);
      }
    }
  };
  visit("");
  return out;
}

// The tagger of make_wrapper_goldens.py, built in C++ with the same names.
std::shared_ptr<Model> tagger() {
  auto tokens = Input({6}, {.name = "tokens", .dtype = "int32"});
  auto h = Embedding(9, 4, {.mask_zero = true, .name = "emb"})(tokens);
  h = Bidirectional(LSTM(4, {.return_sequences = true, .name = "lstm"}), {.name = "bidi"})(h);
  auto y = TimeDistributed(Dense(3, "softmax"), {.name = "tags"})(h);
  return std::make_shared<Model>(tokens, y);
}

std::vector<std::string> paths_of(Layer& layer) {
  std::vector<std::string> out;
  for (const Variable* v : layer.weights()) out.push_back(v->path);
  return out;
}

}  // namespace

TEST_CASE("Wrapper goldens come from Keras 3", "[layers][wrappers][golden]") {
  const nlohmann::json& g = golden_file("wrappers.json");
  CHECK(g["keras_version"].get<std::string>().rfind("3.", 0) == 0);
  CHECK(g["cases"].size() == 18);
}

TEST_CASE("Bidirectional and TimeDistributed match Keras in whole models", "[layers][wrappers][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const nlohmann::json& c : golden_file("wrappers.json")["cases"]) {
    INFO("case " << c["name"].get<std::string>() << " on " << current_backend().name());
    check_model_case(c);
  }
}

TEST_CASE("Models with wrappers saved by Keras load with Keras's predictions", "[layers][wrappers][golden][saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  CHECK(check_keras_files(golden_file("wrappers.json"), std::string(STRATA_GOLDEN_DIR) + "/wrappers/") == 6);
}

TEST_CASE("Wrappers write Keras's weights-file layout", "[layers][wrappers][saving]") {
  // The file Keras wrote for the same model: every group and dataset at the same path.
  TempDir dir;
  auto model = tagger();
  model->save_weights(dir / "tagger.weights.h5");
  const std::set<std::string> ours = h5_layout(dir / "tagger.weights.h5");
  CHECK(ours == h5_layout(std::string(STRATA_GOLDEN_DIR) + "/wrappers/tagger.weights.h5"));
  for (const char* path : {"layers/bidirectional/forward_layer/cell/vars/0 (4, 16)",
                           "layers/bidirectional/backward_layer/cell/vars/2 (16,)",
                           "layers/bidirectional/forward_layer/vars", "layers/time_distributed/layer/vars/0 (8, 3)"})
    CHECK(ours.contains(path));
  // weights(): the forward layer's, then the backward layer's, under Keras's variable paths.
  CHECK(paths_of(model->get_layer("bidi")) ==
        std::vector<std::string>{"bidi/forward_lstm/lstm_cell/kernel", "bidi/forward_lstm/lstm_cell/recurrent_kernel",
                                 "bidi/forward_lstm/lstm_cell/bias", "bidi/backward_lstm/lstm_cell/kernel",
                                 "bidi/backward_lstm/lstm_cell/recurrent_kernel", "bidi/backward_lstm/lstm_cell/bias"});
  CHECK(paths_of(model->get_layer("tags"))[0].ends_with("/kernel"));
  CHECK(paths_of(model->get_layer("tags"))[0].starts_with("tags/dense"));
}

TEST_CASE("Models with wrappers survive Strata's own files", "[layers][wrappers][saving]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  TempDir dir;
  set_random_seed(3);
  auto model = tagger();
  const xt::xarray<float> tokens = {{3, 1, 4, 1, 0, 0}, {5, 8, 2, 6, 5, 3}, {5, 0, 8, 0, 0, 0}};
  const auto expected = model->predict(tokens, {.verbose = 0});
  for (const char* name : {"m.keras", "m.h5"}) {
    INFO(name);
    model->save(dir / name);
    const bool same = load_model(dir / name, false)->predict(tokens, {.verbose = 0}) == expected;
    CHECK(same);
  }
  auto rebuilt = model_from_json(model->to_json());
  model->save_weights(dir / "m.weights.h5");
  rebuilt->load_weights(dir / "m.weights.h5");
  const bool same = rebuilt->predict(tokens, {.verbose = 0}) == expected;
  CHECK(same);
}

TEST_CASE("Wrappers: gradients against central differences", "[layers][wrappers][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  set_random_seed(7);
  SECTION("Bidirectional: every merge mode, each cell, both output forms") {
    const char* kinds[] = {"SimpleRNN", "LSTM", "GRU"};
    int k = 0;
    for (const char* mode : {"concat", "sum", "mul", "ave"})
      for (const bool sequences : {true, false}) {
        const std::string kind = kinds[k++ % 3];
        INFO(kind << " " << mode << (sequences ? " sequences" : " last"));
        std::shared_ptr<Layer> rnn;
        if (kind == "SimpleRNN")
          rnn = std::make_shared<SimpleRNN>(3, SimpleRNNOptions{.return_sequences = sequences});
        else if (kind == "LSTM")
          rnn = std::make_shared<LSTM>(3, LSTMOptions{.return_sequences = sequences});
        else
          rnn = std::make_shared<GRU>(3, GRUOptions{.return_sequences = sequences});
        auto x = Input({4, 2});
        auto h = Dense(3, "tanh")(x);  // dL/dx of the wrapper reaches this kernel
        Model model(x, Bidirectional(*rnn, {.merge_mode = mode})(h));
        check_model_gradients(model, {random_array({2, 4, 2}, 3)});
      }
  }
  SECTION("Bidirectional: masked steps, stacked") {
    auto tokens = Input({5}, {.dtype = "int32"});
    auto h = Embedding(7, 2, {.mask_zero = true})(tokens);
    h = Bidirectional(LSTM(3, {.return_sequences = true}))(h);
    auto y = Bidirectional(GRU(2), {.merge_mode = "sum"})(h);
    Model model(tokens, y);
    check_model_gradients(model, {xt::xarray<float>({{1, 2, 0, 3, 0}, {4, 0, 0, 0, 0}, {5, 6, 1, 2, 3}})});
  }
  SECTION("Bidirectional: initial states made by layers, split forward then backward") {
    auto x = Input({3, 2});
    auto s = Input({4});
    std::vector<Tensor> inputs{x};
    for (int i = 0; i < 4; ++i) inputs.push_back(Dense(3, "tanh")(s));
    Model model({x, s}, Bidirectional(LSTM(3, {.return_sequences = true}))(std::span<const Tensor>(inputs)));
    check_model_gradients(model, {random_array({2, 3, 2}, 8), random_array({2, 4}, 9)});
  }
  SECTION("TimeDistributed: Dense, a Sequential, and Conv2D over frames") {
    auto x = Input({4, 3});
    auto h = TimeDistributed(Dense(3, "tanh"))(x);
    auto inner = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{Dense(4, "relu"), Dense(2)});
    Model dense(x, TimeDistributed(inner)(h));
    check_model_gradients(dense, {random_array({2, 4, 3}, 4)});

    auto frames = Input({2, 5, 5, 2});
    auto f = TimeDistributed(Conv2D(3, 3, "tanh"))(frames);
    f = TimeDistributed(Flatten())(f);
    Model conv(frames, LSTM(2)(f));
    check_model_gradients(conv, {random_array({2, 2, 5, 5, 2}, 5)});
  }
  SECTION("TimeDistributed: a masked sequence into a recurrent layer") {
    auto tokens = Input({5}, {.dtype = "int32"});
    auto h = Embedding(7, 2, {.mask_zero = true})(tokens);
    h = TimeDistributed(Dense(3, "tanh"))(h);
    Model model(tokens, GRU(2)(h));
    check_model_gradients(model, {xt::xarray<float>({{1, 2, 0, 3, 0}, {4, 0, 0, 0, 0}, {5, 6, 1, 2, 3}})});
  }
}

TEST_CASE("Wrappers: masks on eager and symbolic calls", "[layers][wrappers][masking]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  const xt::xarray<std::int32_t> ids = {{1, 2, 0, 0}, {3, 0, 4, 5}};
  Embedding embedding(6, 3, {.mask_zero = true});
  const Tensor x = embedding(from_host(current_backend(), ids));
  REQUIRE(x.mask() != nullptr);
  Bidirectional sequences(GRU(2, {.return_sequences = true}));
  Bidirectional last(GRU(2));
  TimeDistributed dense(Dense(2));
  const Tensor ys = sequences(x);
  CHECK(ys.shape() == Shape{2, 4, 4});
  CHECK(ys.mask() == x.mask());
  // A masked step outputs zeros in both directions (Keras's forced zero_output_for_mask).
  const auto values = to_host(ys);
  for (std::size_t f = 0; f < 4; ++f) {
    CHECK(values(0, 2, f) == 0.f);
    CHECK(values(1, 1, f) == 0.f);
    CHECK(values(0, 0, f) != 0.f);
  }
  CHECK(last(x).mask() == nullptr);
  const Tensor yd = dense(x);
  CHECK(yd.shape() == Shape{2, 4, 2});
  CHECK(yd.mask() == x.mask());

  auto tokens = Input({4}, {.dtype = "int32"});
  auto e = Embedding(6, 3, {.mask_zero = true})(tokens);
  CHECK(Bidirectional(LSTM(2, {.return_sequences = true}))(e).mask() != nullptr);
  CHECK(Bidirectional(LSTM(2))(e).mask() == nullptr);
  auto td = TimeDistributed(Dense(5))(e);
  CHECK(td.shape() == Shape{kNone, 4, 5});
  CHECK(td.mask() != nullptr);
}

TEST_CASE("Wrappers: configs as Keras writes them, and round trips", "[layers][wrappers][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  check_config_round_trip([] { return std::make_shared<Bidirectional>(LSTM(3, {.return_sequences = true})); },
                          Shape{2, 4, 5});
  check_config_round_trip(
      [] {
        return std::make_shared<Bidirectional>(
            GRU(3), BidirectionalOptions{.merge_mode = "mul",
                                         .backward_layer = std::make_shared<GRU>(
                                             3, GRUOptions{.activation = "relu", .go_backwards = true})});
      },
      Shape{2, 4, 5});
  check_config_round_trip([] { return std::make_shared<TimeDistributed>(Dense(4, "relu")); }, Shape{2, 3, 5});
  check_config_round_trip([] { return std::make_shared<TimeDistributed>(Conv2D(2, 3)); }, Shape{2, 3, 5, 5, 2});

  // Keras's own configs (from the goldens' JSON) come back exactly from Strata's layers.
  for (const char* name : {"bidi_given_backward_layer", "bidi_gru_sum", "tagger", "td_conv2d_frames"}) {
    for (const nlohmann::json& c : golden_file("wrappers.json")["cases"]) {
      if (c["name"] != name) continue;
      for (const nlohmann::json& entry : c["model"]["config"]["layers"]) {
        const std::string class_name = entry["class_name"].get<std::string>();
        if (class_name != "Bidirectional" && class_name != "TimeDistributed") continue;
        INFO(name << ": " << entry["config"]["name"]);
        auto layer = Layer::from_config(entry);
        CHECK(layer->get_config() == entry["config"]);
      }
    }
  }
  Bidirectional bidi(SimpleRNN(2, {.name = "forward_rnn"}), {.name = "b"});
  CHECK(bidi.forward_layer().name() == "forward_rnn");
  CHECK(bidi.backward_layer().name() == "backward_forward_rnn");
  CHECK(bidi.backward_layer().go_backwards());
  CHECK(bidi.merge_mode() == "concat");
}

TEST_CASE("A Bidirectional tagger trains with fit", "[layers][wrappers][fit]") {
  set_backend(GENERATE(from_range(available_backends())));
  INFO(current_backend().name());
  // Tag each token with whether the sequence holds a larger token after it: the backward
  // direction is needed.
  const std::size_t rows = 64, steps = 6;
  xt::xarray<float> x = xt::zeros<float>({rows, steps});
  xt::xarray<float> y = xt::zeros<float>({rows, steps, std::size_t{1}});
  std::mt19937 rng(3);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t t = 0; t < steps; ++t) x(i, t) = static_cast<float>(1 + rng() % 7);
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t u = t + 1; u < steps; ++u)
        if (x(i, u) > x(i, t)) y(i, t, 0) = 1.f;
  }
  set_random_seed(4);
  Sequential model({Input({6}), Embedding(8, 4), Bidirectional(LSTM(8, {.return_sequences = true})),
                    TimeDistributed(Dense(1, "sigmoid"))});
  model.compile(optimizers::Adam(0.02), "binary_crossentropy", {"accuracy"});
  const History history = model.fit(x, y, {.batch_size = 16, .epochs = 20, .verbose = 0});
  CHECK(history.history.at("loss").back() < 0.6 * history.history.at("loss").front());
}

TEST_CASE("Wrappers: errors by their text", "[layers][wrappers][errors]") {
  CHECK(message_of([] { Bidirectional(LSTM(2), {.merge_mode = "max"}); }) ==
        "Invalid merge mode. Received: max. Merge mode should be one of {\"sum\", \"mul\", \"ave\", \"concat\", None}");
  CHECK(message_of([] { Bidirectional(LSTM(2), {.merge_mode = std::nullopt, .name = "b"}); }) ==
        "Bidirectional \"b\": merge_mode=None returns the forward and backward outputs as two tensors, and a Strata "
        "layer has one output, so it is not supported yet; use \"concat\", \"sum\", \"mul\" or \"ave\"");
  CHECK(message_of([] { Bidirectional(Dense(2, "linear", {.name = "d"})); }) ==
        "Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU); `layer` is a Dense layer (\"d\")");
  CHECK(message_of([] { Bidirectional(LSTM(2, {.go_backwards = true})); }) ==
        "Forward layer and backward layer should have different `go_backwards` value. Received: "
        "forward_layer.go_backwards True, backward_layer.go_backwards=True");
  CHECK(message_of([] {
          Bidirectional(LSTM(2), {.backward_layer = std::make_shared<LSTM>(
                                      2, LSTMOptions{.return_sequences = true, .go_backwards = true})});
        }) ==
        "Forward layer and backward layer are expected to have the same value for attribute \"return_sequences\", "
        "got \"False\" for forward layer and \"True\" for backward layer");
  CHECK(message_of([] {
          Bidirectional(LSTM(2), {.backward_layer = std::make_shared<Dense>(2)});
        }).starts_with("Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU); `backward_layer` is a Dense"));
  CHECK(message_of([] {
          auto x = Input({3, 2});
          auto s = Input({2});
          Bidirectional(GRU(2), {.name = "b"})({x, s, s, s});
        }) ==
        "Bidirectional \"b\": the initial states are split in halves, the first for the forward layer and the "
        "second for the backward layer; received 3 initial state tensors");
  CHECK(message_of([] { TimeDistributed(Dense(2))(Input({4})); }) ==
        "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: (None, 4)");
  CHECK(message_of([] { TimeDistributed(std::shared_ptr<Layer>()); }) ==
        "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: None");
  CHECK(message_of([] {
          Dense dense(2, "linear", {.name = "d"});
          dense.set_activity_regularizer(std::make_shared<regularizers::L2>(0.1));
          TimeDistributed(dense, {.name = "td"})(Input({3, 4}));
        }) ==
        "TimeDistributed \"td\": the layer \"d\" it wraps has an activity_regularizer, which Keras 3's "
        "TimeDistributed never applies (it runs the layer's call() directly); remove it, or set one on the "
        "TimeDistributed layer instead");
  const xt::xarray<float> frames = xt::ones<float>({2, 3, 4});
  TimeDistributed norm(BatchNormalization({.name = "bn"}), {.name = "td"});
  CHECK(message_of([&] { norm(from_host(current_backend(), frames), true); }) ==
        "TimeDistributed \"td\": the BatchNormalization \"bn\" it wraps cannot train inside it yet: Keras normalizes "
        "each time step with that step's own batch statistics, and Strata folds the steps into the batch, which "
        "would mix them. Use it in inference, or normalize the whole sequence with a BatchNormalization outside "
        "TimeDistributed");
  CHECK(norm(from_host(current_backend(), frames), false).shape() == Shape{2, 3, 4});
}
