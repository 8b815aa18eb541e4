// The graph engine under every model style: per-call state, gradient sums over shared layers
// and reused tensors, nested models, and Functional / subclassed models against Sequential.

#include <catch2/catch.hpp>

#include "strata/strata.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using strata::testing::check_model_gradients;
using strata::testing::random_array;

namespace {

// The seed's PyTorch-style model, as a subclass.
struct TwoDense : Model {
  Dense hidden{6, "tanh"};
  Dense out{3};
  Tensor call(const Tensor& x, bool) override { return out(hidden(x)); }
};

}  // namespace

TEST_CASE("A layer applied to its own output keeps both calls apart and sums its gradient", "[engine]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(1);
  auto x = Input({4});
  Dense d(4, "tanh");
  Model model(x, d(d(x)));
  CHECK(model.layers().size() == 2);  // the input layer and d, once
  CHECK(d.inbound_node_count() == 2);
  check_model_gradients(model, {random_array({5, 4}, 3)});

  // The same computation with two layers holding the same weights: the shared kernel's
  // gradient is the sum of theirs.
  Dense first(4, "tanh"), second(4, "tanh");
  Model twin(x, second(first(x)));
  twin.set_weights({to_host(d.weights()[0]->value), to_host(d.weights()[1]->value), to_host(d.weights()[0]->value),
                    to_host(d.weights()[1]->value)});
  const auto input = random_array({5, 4}, 4);
  Backend& backend = d.backend();
  const Tensor xt_ = from_host(backend, input);
  const auto y_shared = to_host(model.run_step(std::span<const Tensor>(&xt_, 1), true)[0]);
  const Tensor ones = from_host(backend, xt::xarray<float>(xt::ones<float>({5, 4})));
  model.run_backward(std::span<const Tensor>(&ones, 1));
  const auto y_twin = to_host(twin.run_step(std::span<const Tensor>(&xt_, 1), true)[0]);
  twin.run_backward(std::span<const Tensor>(&ones, 1));
  CHECK(xt::allclose(y_shared, y_twin));
  const xt::xarray<float> sum = to_host(first.weights()[0]->grad) + to_host(second.weights()[0]->grad);
  CHECK(xt::allclose(to_host(d.weights()[0]->grad), sum, 1e-5, 1e-6));
}

TEST_CASE("A layer shared by two inputs (a Siamese pair) gets the sum of both gradients", "[engine]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(2);
  auto a = Input({3}, {.name = "left"});
  auto b = Input({3}, {.name = "right"});
  Dense shared(4, "sigmoid", {.name = "shared"});
  Model model({a, b}, {shared(a), shared(b)});
  CHECK(model.layers().size() == 3);
  CHECK(model.output_names() == std::vector<std::string>{"shared", "shared"});
  check_model_gradients(model, {random_array({2, 3}, 5), random_array({2, 3}, 6)});
}

TEST_CASE("A tensor used twice gets the sum of its gradients (fan-out)", "[engine]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(3);
  auto x = Input({5});
  auto h = Dense(4, "elu")(x);
  Model model(x, {Dense(2, "tanh")(h), Dense(3, "softmax")(h)});
  check_model_gradients(model, {random_array({3, 5}, 7)});
}

TEST_CASE("Nested models: Sequential inside Functional and Functional inside Sequential", "[engine]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(4);
  auto block = std::make_shared<Sequential>(std::initializer_list<SequentialItem>{Dense(5, "tanh"), Dense(4)});
  auto x = Input({4});
  auto y = Dense(2)((*block)((*block)(x)));  // the nested model is itself shared
  Model outer(x, y);
  CHECK(outer.layers().size() == 3);
  CHECK(outer.count_params() == (4 * 5 + 5 + 5 * 4 + 4) + (4 * 2 + 2));
  check_model_gradients(outer, {random_array({3, 4}, 8)});

  auto inner_in = Input({4});
  Model inner(inner_in, Dense(3, "tanh")(inner_in));
  Sequential stack({Input({4}), inner, Dense(2)});
  CHECK(stack.layers().size() == 2);
  CHECK(stack.output_shape() == Shape{kNone, 2});
  CHECK(stack.weights().size() == 4);
  check_model_gradients(stack, {random_array({3, 4}, 9)});
}

TEST_CASE("A subclassed model trains like the equal Sequential one", "[engine][subclassed]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto x = random_array({40, 4}, 10);
  xt::xarray<float> y = xt::xarray<float>::from_shape({40});
  for (std::size_t i = 0; i < 40; ++i) y(i) = float(i % 3);

  set_random_seed(11);
  TwoDense sub;
  sub.compile("adam", LossSpec(losses::SparseCategoricalCrossentropy({.from_logits = true})), {"accuracy"});
  check_model_gradients(sub, {x});  // builds it from the data
  CHECK(sub.layers() == std::vector<Layer*>{&sub.hidden, &sub.out});
  CHECK(sub.class_name() == "TwoDense");
  CHECK_THAT(sub.name(), Catch::Matches("two_dense(_[0-9]+)?"));  // Keras's default: the class in snake case

  Sequential seq({Input({4}), Dense(6, "tanh"), Dense(3)});
  seq.set_weights(sub.get_weights());
  seq.compile("adam", LossSpec(losses::SparseCategoricalCrossentropy({.from_logits = true})), {"accuracy"});
  set_random_seed(12);
  const History a = sub.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0});
  set_random_seed(12);
  const History b = seq.fit(x, y, {.batch_size = 8, .epochs = 3, .verbose = 0});
  CHECK(a.history == b.history);
  const auto wa = sub.get_weights();
  const auto wb = seq.get_weights();
  REQUIRE(wa.size() == wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) CHECK(bool(wa[i] == wb[i]));
}

TEST_CASE("A Functional model trains exactly like the equal Sequential one", "[engine][functional]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto x = random_array({50, 6, 6, 1}, 13);
  xt::xarray<float> y = xt::xarray<float>::from_shape({50});
  for (std::size_t i = 0; i < 50; ++i) y(i) = float(i % 4);

  set_random_seed(14);
  Sequential seq(
      {Input({6, 6, 1}), Conv2D(4, 3, "relu"), MaxPooling2D(2), Flatten(), Dropout(0.3), Dense(4, "softmax")});
  set_random_seed(14);
  auto in = Input({6, 6, 1});
  auto h = Conv2D(4, 3, "relu")(in);
  h = MaxPooling2D(2)(h);
  h = Flatten()(h);
  h = Dropout(0.3)(h);
  Model fun(in, Dense(4, "softmax")(h));
  const auto ws = seq.get_weights();
  const auto wf = fun.get_weights();
  REQUIRE(ws.size() == wf.size());
  for (std::size_t i = 0; i < ws.size(); ++i) CHECK(bool(ws[i] == wf[i]));

  for (Model* m : {static_cast<Model*>(&seq), static_cast<Model*>(&fun)})
    m->compile("sgd", "sparse_categorical_crossentropy", {"accuracy"});
  set_random_seed(15);
  const History a = seq.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .validation_split = 0.2});
  set_random_seed(15);
  const History b = fun.fit(x, y, {.batch_size = 16, .epochs = 2, .verbose = 0, .validation_split = 0.2});
  CHECK(a.history == b.history);
  CHECK(bool(seq.predict(x, {.verbose = 0}) == fun.predict(x, {.verbose = 0})));
}

TEST_CASE("Two inputs, two outputs: per-output losses, weights, metrics and Keras's log names",
          "[engine][functional]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(16);
  auto image = Input({4}, {.name = "image"});
  auto meta = Input({3}, {.name = "meta"});
  auto h = Dense(8, "relu")(image);
  auto cls = Dense(3, "softmax", {.name = "cls"})(h);
  auto aux = Dense(1, "linear", {.name = "aux"})(Dense(2)(meta));
  Model model({image, meta}, {cls, aux});
  model.compile("adam", {{"cls", "sparse_categorical_crossentropy"}, {"aux", "mse"}}, {{"cls", {"accuracy"}}},
                {{"cls", 1.0}, {"aux", 0.2}});
  const auto x1 = random_array({32, 4}, 17);
  const auto x2 = random_array({32, 3}, 18);
  xt::xarray<float> y1 = xt::xarray<float>::from_shape({32});
  for (std::size_t i = 0; i < 32; ++i) y1(i) = float(i % 3);
  const auto y2 = random_array({32, 1}, 19);

  const History history = model.fit({x1, x2}, {y1, y2}, {.batch_size = 8, .epochs = 2, .verbose = 0});
  for (const char* key : {"loss", "cls_loss", "aux_loss", "cls_accuracy"}) CHECK(history.history.count(key) == 1);
  CHECK(history.history.size() == 4);

  const Logs logs = model.evaluate({{"meta", x2}, {"image", x1}}, {{"aux", y2}, {"cls", y1}}, {.verbose = 0});
  CHECK(logs.at("loss") == Approx(logs.at("cls_loss") + 0.2 * logs.at("aux_loss")).epsilon(1e-6));
  const auto outputs = model.predict_outputs({x1, x2}, {.verbose = 0});
  REQUIRE(outputs.size() == 2);
  CHECK(outputs[0].shape() == std::vector<std::size_t>{32, 3});
  CHECK(outputs[1].shape() == std::vector<std::size_t>{32, 1});
  CHECK_THROWS_WITH(model.predict({x1}, {.verbose = 0}),
                    "Model \"" + model.name() + "\" expects 2 input array(s) ['image', 'meta'], but it received 1.");
  CHECK_THROWS_WITH(model.compile("adam", {{"nope", "mse"}}),
                    "Expected keys ['cls', 'aux'] in loss dict, but found loss.keys()=['nope']");
}

TEST_CASE("Functional graphs refuse what Keras refuses, with its words", "[engine][functional][errors]") {
  auto a = Input({4}, {.name = "a_in"});
  auto b = Input({3}, {.name = "b_in"});
  Dense joint(2, "linear", {.name = "joint"});
  auto da = Dense(3, "linear", {.name = "da"})(a);
  (void)da;
  auto out = Dense(2, "linear", {.name = "from_b"})(b);
  CHECK_THROWS_WITH(Model(a, out),
                    Catch::StartsWith("Graph disconnected: cannot find parent for tensor <KerasTensor shape=(None, 3), "
                                      "dtype=float32, name=b_in> at layer \"from_b\""));
  CHECK_THROWS_WITH(Model({a, a}, da), Catch::Contains("is given twice (positions 0 and 1)"));
  auto c = Dense(3, "linear", {.name = "twin"})(a);
  auto d = Dense(3, "linear", {.name = "twin"})(c);
  CHECK_THROWS_WITH(Model(a, d),
                    "The name \"twin\" is used 2 times in the model. All operation names should be unique.");
  const auto x = random_array({2, 4}, 1);
  const Tensor concrete = from_host(current_backend(), x);
  CHECK_THROWS_WITH(joint({a, concrete}), Catch::Contains("a mix of symbolic tensors"));
  if (available_backends().size() > 1) {
    const Tensor on_ref = from_host(get_backend("reference"), x);
    const Tensor on_cpu = from_host(get_backend("cpu"), x);
    Dense two(2);
    CHECK_THROWS_WITH(two({on_ref, on_cpu}), Catch::Contains("tensors of two different backends"));
  }
}

TEST_CASE("Every layer with weights shared by a Siamese pair sums both calls' gradients", "[engine][layers]") {
  set_backend(GENERATE(from_range(available_backends())));
  struct Case {
    std::string label;
    std::function<std::shared_ptr<Layer>()> make;
    std::vector<std::size_t> shape;  // one sample
  };
  const std::vector<Case> cases = {
      {"Dense", [] { return std::make_shared<Dense>(3, "tanh"); }, {4}},
      {"Conv2D", [] { return std::make_shared<Conv2D>(2, 3, "tanh", Conv2DOptions{.padding = "same"}); }, {5, 5, 2}},
      {"Conv1D", [] { return std::make_shared<Conv1D>(2, 2, "tanh"); }, {5, 3}},
      {"DepthwiseConv2D", [] { return std::make_shared<DepthwiseConv2D>(2, "tanh"); }, {4, 4, 2}},
      {"SeparableConv2D", [] { return std::make_shared<SeparableConv2D>(3, 2, "tanh"); }, {4, 4, 2}},
      {"Conv2DTranspose", [] { return std::make_shared<Conv2DTranspose>(2, 2, "tanh"); }, {3, 3, 2}},
      {"BatchNormalization", [] { return std::make_shared<BatchNormalization>(); }, {3}},
      {"LayerNormalization", [] { return std::make_shared<LayerNormalization>(); }, {5}},
  };
  for (const auto& c : cases) {
    SECTION(c.label) {
      set_random_seed(20);
      std::vector<std::int64_t> dims(c.shape.begin(), c.shape.end());
      auto a = Input(Shape(dims));
      auto b = Input(Shape(dims));
      auto layer = c.make();
      // A deterministic nonlinearity after the shared layer keeps the loss non-linear in it.
      Model model({a, b}, {(*layer)(a), (*layer)(b)});
      std::vector<std::size_t> batch{3};
      batch.insert(batch.end(), c.shape.begin(), c.shape.end());
      check_model_gradients(model, {random_array(batch, 21), random_array(batch, 22)}, 3e-2);
    }
  }
}

TEST_CASE("Keras's input_shape on a Sequential's first layer builds the model at once", "[engine][sequential]") {
  Sequential model({Dense(8, "relu", {.input_shape = {784}}), Dense(10, "softmax")});
  CHECK(model.built());
  CHECK(model.input_shape() == Shape{kNone, 784});
  CHECK(model.count_params() == 784 * 8 + 8 + 8 * 10 + 10);
  Sequential flat({Flatten({.input_shape = {28, 28}}), Dense(4)});
  CHECK(flat.output_shape() == Shape{kNone, 4});
}

TEST_CASE("Inputs and outputs by name key the data and compile's maps", "[engine][functional]") {
  set_random_seed(40);
  auto pixels = Input({3});
  auto extra = Input({2});
  auto h = Concatenate()({Dense(4, "relu")(pixels), extra});
  Model model({{"pixels", pixels}, {"extra", extra}}, {{"label", Dense(2, "softmax")(h)}, {"score", Dense(1)(h)}});
  CHECK(model.input_names() == std::vector<std::string>{"pixels", "extra"});
  CHECK(model.output_names() == std::vector<std::string>{"label", "score"});
  model.compile("sgd", {{"label", "sparse_categorical_crossentropy"}, {"score", "mae"}}, {{"label", {"accuracy"}}});
  const auto x1 = random_array({8, 3}, 41);
  const auto x2 = random_array({8, 2}, 42);
  const auto score = random_array({8, 1}, 43);
  xt::xarray<float> label = xt::zeros<float>({8});
  const Logs logs =
      model.evaluate({{"extra", x2}, {"pixels", x1}}, {{"score", score}, {"label", label}}, {.verbose = 0});
  for (const char* key : {"loss", "label_loss", "score_loss", "label_accuracy"}) CHECK(logs.count(key) == 1);
}

TEST_CASE("A subclassed call that reads data while its shapes are traced says what to do",
          "[engine][subclassed][errors]") {
  struct Peeking : Model {
    Dense d{2};
    Tensor call(const Tensor& x, bool) override {
      (void)to_host(x);  // data-dependent host code: not possible on a symbolic tensor
      return d(x);
    }
  };
  Peeking model;
  model.compile("sgd", "mse");
  const auto x = random_array({4, 3}, 44);
  const auto y = random_array({4, 2}, 45);
  CHECK_THROWS_WITH(
      model.fit(x, y, {.verbose = 0}),
      Catch::StartsWith("Tensor::backend() on a symbolic tensor of shape (None, 3)") && Catch::Contains("strata::ops"));
}

TEST_CASE("A model cut from another's intermediate tensors shares its layers and weights", "[engine][functional]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(50);
  auto image = Input({6}, {.name = "image"});
  auto code = Dense(2, "tanh", {.name = "code"})(image);
  auto decoded = Dense(6, "sigmoid", {.name = "decoded"})(code);
  Model autoencoder(image, decoded);
  Model encoder(image, autoencoder.get_layer("code").output());
  CHECK(encoder.layers().size() == 2);
  CHECK(&encoder.get_layer("code") == &autoencoder.get_layer("code"));
  CHECK(autoencoder.get_layer("image").output().shape() == Shape{kNone, 6});
  CHECK(encoder.inputs()[0].node() == autoencoder.inputs()[0].node());

  const auto x = random_array({16, 6}, 51);
  const auto before = encoder.predict(x, {.verbose = 0});
  autoencoder.compile(optimizers::SGD(0.5), "mse");
  autoencoder.fit(x, x, {.batch_size = 4, .epochs = 2, .verbose = 0});
  const auto after = encoder.predict(x, {.verbose = 0});
  CHECK_FALSE(bool(before == after));  // training the autoencoder moved the encoder's weights
  CHECK(bool(encoder.get_weights()[0] == autoencoder.get_weights()[0]));
}
