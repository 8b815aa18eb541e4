// strata_write_saves DIR: writes models saved by Strata, in every format, with the inputs and
// Strata's predictions in DIR/cases.json, for tests/golden/check_strata_saves.py to load with
// real Keras (the Strata -> Keras direction; the CMake test keras.reads_strata_files runs both).
//
// The models: every Keras golden archive (together they hold every layer Strata has), loaded,
// trained one more step by Strata and saved again; and models built in C++ (Sequential,
// Functional with a shared layer and two outputs, nested, recurrent and wrapped, subclassed),
// trained two steps.

#include <filesystem>
#include <fstream>
#include <iostream>

#include <xtensor/xrandom.hpp>

#include "strata/strata.hpp"
#include "support/two_layer_net.hpp"

using namespace strata;

namespace {

nlohmann::json array_json(const xt::xarray<float>& a) {
  nlohmann::json data = nlohmann::json::array();
  for (float v : a) data.push_back(v);
  return {{"shape", a.shape()}, {"data", data}};
}

nlohmann::json arrays_json(const std::vector<xt::xarray<float>>& arrays) {
  if (arrays.size() == 1) return array_json(arrays[0]);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : arrays) out.push_back(array_json(a));
  return out;
}

xt::xarray<float> array_of(const nlohmann::json& j) {
  xt::xarray<float> out = xt::xarray<float>::from_shape(j.at("shape").get<std::vector<std::size_t>>());
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] = j.at("data")[i].get<float>();
  return out;
}

std::vector<xt::xarray<float>> arrays_of(const nlohmann::json& j) {
  std::vector<xt::xarray<float>> out;
  if (j.is_array())
    for (const auto& a : j) out.push_back(array_of(a));
  else
    out.push_back(array_of(j));
  return out;
}

xt::xarray<float> uniform(std::vector<std::size_t> shape, std::uint64_t seed) {
  xt::random::seed(seed);
  return xt::random::rand<float>(shape, -1.f, 1.f);
}

// Saves `model` in every format it has and describes it for the checker.
nlohmann::json save_all(Model& model, const std::string& name, const std::filesystem::path& dir,
                        const std::vector<xt::xarray<float>>& inputs) {
  nlohmann::json files;
  model.save((dir / (name + ".keras")).string());
  files["keras"] = name + ".keras";
  model.save_weights((dir / (name + ".weights.h5")).string());
  files["weights_h5"] = name + ".weights.h5";
  std::ofstream((dir / (name + ".json")).string()) << model.to_json();
  files["json"] = name + ".json";
  if (model.graph() != nullptr || dynamic_cast<Sequential*>(&model) != nullptr) {
    model.save((dir / (name + ".h5")).string());
    files["legacy_h5"] = name + ".h5";
  }
  nlohmann::json c = {{"name", name},
                      {"files", files},
                      {"inputs", arrays_json(inputs)},
                      {"predictions", arrays_json(model.predict_outputs(inputs, {.verbose = 0}))}};
  if (model.compiled()) c["optimizer_iterations"] = model.optimizer().iterations();
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: strata_write_saves DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  testing::register_two_layer_net();
  set_random_seed(11);
  nlohmann::json cases = nlohmann::json::array();

  // Keras's models, trained one step further by Strata.
  const std::string golden = std::string(STRATA_GOLDEN_DIR) + "/saving/";
  nlohmann::json goldens;
  std::ifstream(golden + "cases.json") >> goldens;
  for (const auto& c : goldens.at("cases")) {
    const std::string name = c.at("name");
    auto model = load_model(golden + c.at("files").at("keras").get<std::string>());
    if (!c.at("train").is_null()) {
      const auto& batch = c.at("train").at("batches")[0];
      model->train_on_batch(arrays_of(batch.at("x")), arrays_of(batch.at("y")));
    }
    cases.push_back(save_all(*model, "resaved_" + name, dir, arrays_of(c.at("inputs"))));
  }

  // Models Strata built.
  const auto x_image = uniform({4, 6, 6, 2}, 1);
  xt::xarray<float> y_class = {0.f, 2.f, 1.f, 2.f};
  Sequential cnn(
      {Input({6, 6, 2}), Conv2D(4, 3, "relu"), BatchNormalization(), MaxPooling2D(2), Flatten(), Dense(3, "softmax")},
      "strata_cnn");
  cnn.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  for (int step = 0; step < 2; ++step) cnn.train_on_batch(x_image, y_class);
  cases.push_back(save_all(cnn, "strata_cnn", dir, {x_image}));

  auto a = Input({5}, {.name = "a"});
  auto b = Input({5}, {.name = "b"});
  Dense shared(6, "relu", {.name = "shared"});
  const Tensor sa = shared(a), sb = shared(b);
  Model heads({a, b},
              {Dense(3, "softmax", {.name = "cls"})(Concatenate()({sa, sb})),
               Dense(1, "linear", {.name = "reg"})(Add()({sa, sb}))},
              "strata_heads");
  heads.compile(optimizers::SGD(0.05, {.momentum = 0.9}), std::vector<Handle<Loss>>{"categorical_crossentropy", "mse"},
                {{"cls", {"categorical_accuracy"}}, {"reg", {"mae"}}}, std::vector<double>{1.0, 0.5});
  const auto xa = uniform({4, 5}, 2), xb = uniform({4, 5}, 3), reg = uniform({4, 1}, 4);
  xt::xarray<float> cls = xt::zeros<float>({4, 3});
  for (std::size_t i = 0; i < 4; ++i) cls(i, i % 3) = 1.f;
  for (int step = 0; step < 2; ++step) heads.train_on_batch({xa, xb}, {cls, reg});
  cases.push_back(save_all(heads, "strata_heads", dir, {xa, xb}));

  Sequential inner({Input({4}), Dense(5, "tanh"), LayerNormalization(), Dense(3)}, "inner");
  auto x = Input({4});
  Model nested(x, Dense(2)(inner(x)), "strata_nested");
  nested.compile(optimizers::RMSprop(0.01), "mse");
  const auto xn = uniform({4, 4}, 5), yn = uniform({4, 2}, 6);
  for (int step = 0; step < 2; ++step) nested.train_on_batch(xn, yn);
  cases.push_back(save_all(nested, "strata_nested", dir, {xn}));

  // A mixed_bfloat16 model (the output layer float32): Keras must load it with its policies.
  mixed_precision::set_global_policy("mixed_bfloat16");
  Sequential mixed({Input({6, 6, 2}), Conv2D(4, 3, "relu"), MaxPooling2D(2), Flatten(), Dense(8, "relu"),
                    Dense(3, "softmax", {.name = "probabilities", .dtype = "float32"})},
                   "strata_mixed");
  mixed_precision::set_global_policy("float32");
  mixed.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  for (int step = 0; step < 2; ++step) mixed.train_on_batch(x_image, y_class);
  nlohmann::json mixed_case = save_all(mixed, "strata_mixed", dir, {x_image});
  for (Layer* layer : mixed.layers()) mixed_case["policies"][layer->name()] = layer->dtype_policy().name();
  mixed_case["atol"] = 2e-3;
  cases.push_back(mixed_case);

  // Token indices through an int32 Input, Embedding(mask_zero) and a masked average: Keras
  // derives the same masks when it rebuilds the graph.
  auto tokens = Input({6}, {.name = "tokens", .dtype = "int32"});
  auto embedded = Embedding(10, 4, {.mask_zero = true})(tokens);
  auto pooled = GlobalAveragePooling1D()(Dense(5, "tanh")(embedded));
  Model text(tokens, Dense(3, "softmax")(pooled), "strata_masked_text");
  text.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const xt::xarray<float> x_tokens = {{3, 1, 4, 1, 5, 0}, {9, 2, 6, 0, 0, 0}, {5, 0, 3, 5, 8, 9}, {7, 0, 0, 0, 0, 0}};
  for (int step = 0; step < 2; ++step) text.train_on_batch(x_tokens, y_class);
  cases.push_back(save_all(text, "strata_masked_text", dir, {x_tokens}));

  // Recurrent layers: their weights live in the cell in Keras's files, the initial state is the
  // `initial_state` keyword in Keras's JSON.
  auto sequence = Input({5, 3}, {.name = "sequence"});
  auto state = Input({4}, {.name = "state"});
  auto encoded = LSTM(4, {.return_sequences = true})(Masking()(sequence));
  auto summary = GRU(4)({encoded, state});
  auto backwards = SimpleRNN(3, {.go_backwards = true})(encoded);
  Model recurrent({sequence, state}, Add()({Dense(2)(backwards), Dense(2)(summary)}), "strata_recurrent");
  recurrent.compile("adam", "mse");
  auto x_sequence = uniform({4, 5, 3}, 9);
  for (std::size_t f = 0; f < 3; ++f) x_sequence(1, 4, f) = x_sequence(2, 3, f) = x_sequence(2, 4, f) = 0.f;
  const auto x_state = uniform({4, 4}, 10);
  for (int step = 0; step < 2; ++step) recurrent.train_on_batch({x_sequence, x_state}, uniform({4, 2}, 11));
  cases.push_back(save_all(recurrent, "strata_recurrent", dir, {x_sequence, x_state}));

  // Attention with every call layout Keras records: a key and the causal mask by keyword, an
  // attention_mask input, masks from Embedding(mask_zero).
  auto query = Input({4, 6});
  auto memory = Input({5, 6});
  auto attention_mask = Input({4, 5});
  auto ids = Input({5}, {.dtype = "int32"});
  auto id_vectors = Embedding(9, 6, {.mask_zero = true})(ids);
  auto crossed =
      MultiHeadAttention(2, 3, {.output_shape = 4})(query, memory, {.key = id_vectors, .use_causal_mask = true});
  // (value_dim stays key_dim: Keras 3.15's fused attention path refuses them unequal. The
  // second layer's value comes from an Embedding of its own: Keras's MultiHeadAttention.call
  // clears its inputs' masks, so a second layer reading the same tensor would see no mask in
  // Keras and the value's mask in Strata.)
  auto id_values = Embedding(9, 6, {.mask_zero = true})(ids);
  auto masked = MultiHeadAttention(2, 3)(query, id_values, {.attention_mask = attention_mask});
  Model attention({query, memory, attention_mask, ids}, Concatenate()({crossed, masked}), "strata_attention");
  attention.compile("adam", "mse");
  const auto x_query = uniform({3, 4, 6}, 12), x_memory = uniform({3, 5, 6}, 13);
  xt::xarray<float> x_attention_mask = xt::ones<float>({3, 4, 5});
  x_attention_mask(0, 1, 2) = x_attention_mask(2, 3, 0) = 0.f;
  const xt::xarray<float> x_ids = {{1, 2, 3, 0, 0}, {4, 5, 6, 7, 8}, {2, 0, 2, 0, 2}};
  for (int step = 0; step < 2; ++step)
    attention.train_on_batch({x_query, x_memory, x_attention_mask, x_ids}, uniform({3, 4, 10}, 14));
  cases.push_back(save_all(attention, "strata_attention", dir, {x_query, x_memory, x_attention_mask, x_ids}));

  // Wrappers: Bidirectional keeps its directions under forward_layer and backward_layer and takes
  // initial states as `initial_state`, TimeDistributed keeps its layer under layer; masks pass
  // through both (Keras derives them again).
  auto words = Input({6}, {.name = "words", .dtype = "int32"});
  auto read = Bidirectional(LSTM(4, {.return_sequences = true}))(Embedding(10, 4, {.mask_zero = true})(words));
  Model tagger(words, TimeDistributed(Dense(3, "softmax"))(read), "strata_tagger");
  tagger.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const xt::xarray<float> y_tags = {{0, 1, 2, 1, 0, 0}, {2, 2, 1, 0, 0, 0}, {1, 0, 2, 2, 1, 0}, {0, 0, 0, 0, 0, 0}};
  for (int step = 0; step < 2; ++step) tagger.train_on_batch(x_tokens, y_tags);
  cases.push_back(save_all(tagger, "strata_tagger", dir, {x_tokens}));

  auto clips = Input({3, 6, 6, 2}, {.name = "clips"});
  auto context = Input({5}, {.name = "context"});
  auto frames =
      TimeDistributed(Flatten())(TimeDistributed(MaxPooling2D(2))(TimeDistributed(Conv2D(4, 3, "relu"))(clips)));
  const std::vector<Tensor> bidi_inputs{frames, Dense(3, "tanh")(context), Dense(3, "tanh")(context)};
  auto clip_summary = Bidirectional(GRU(3), {.merge_mode = "ave"})(std::span<const Tensor>(bidi_inputs));
  Model video({clips, context}, Dense(2)(clip_summary), "strata_video");
  video.compile("rmsprop", "mse");
  const auto x_clips = uniform({4, 3, 6, 6, 2}, 12), x_context = uniform({4, 5}, 13);
  for (int step = 0; step < 2; ++step) video.train_on_batch({x_clips, x_context}, uniform({4, 2}, 14));
  cases.push_back(save_all(video, "strata_video", dir, {x_clips, x_context}));

  testing::TwoLayerNet net(8, "two_layer_net");
  net.compile(optimizers::SGD(0.05, {.momentum = 0.9}), "mse", {"mae"});
  const auto xs = uniform({4, 4}, 7), ys = uniform({4, 2}, 8);
  for (int step = 0; step < 2; ++step) net.train_on_batch(xs, ys);
  cases.push_back(save_all(net, "strata_subclassed", dir, {xs}));

  std::ofstream(dir / "cases.json") << nlohmann::json{{"cases", cases}}.dump();
  std::cout << "strata_write_saves: " << cases.size() << " models written to " << dir.string() << "\n";
  return 0;
}
