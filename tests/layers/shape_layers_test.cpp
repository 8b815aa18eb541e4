#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

TEST_CASE("Flatten and Reshape move no data and invert in backward", "[layers][flatten][reshape]") {
  set_backend(GENERATE(from_range(available_backends())));
  Flatten flatten;
  CHECK(flatten.compute_output_shape({kNone, 28, 28}) == Shape{kNone, 784});
  testing::check_gradients(flatten, {2, 3, 4});

  Reshape reshape({-1, 2});
  CHECK(reshape.compute_output_shape({kNone, 12}) == Shape{kNone, 6, 2});
  testing::check_gradients(reshape, {3, 12});
  CHECK_THROWS_AS(Reshape({5, 5}).compute_output_shape({kNone, 12}), ShapeError);
  CHECK_THROWS_AS(Reshape({-1, -1}), ValueError);

  testing::check_config_round_trip([] { return std::make_shared<Flatten>(); }, {kNone, 4, 2});
  testing::check_config_round_trip([] { return std::make_shared<Reshape>(Shape{4, 2}); }, {kNone, 8});
}

TEST_CASE("Activation layer matches finite differences", "[layers][activation][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  const std::string name =
      GENERATE("relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu", "leaky_relu", "softplus", "swish");
  Activation layer(name);
  testing::check_gradients(layer, {3, 5});
  testing::check_config_round_trip([&] { return std::make_shared<Activation>(name); }, {kNone, 5});
}

TEST_CASE("Dropout scales kept units in training and passes through in inference", "[layers][dropout]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dropout dropout(0.25f, {.seed = 3});
  const Shape shape{64, 100};
  const std::vector<float> ones(6400, 1.f);
  CHECK(testing::run_forward(dropout, shape, ones, false) == ones);

  const auto y = testing::run_forward(dropout, shape, ones, true);
  std::size_t kept = 0;
  for (float v : y) {
    REQUIRE((v == 0.f || v == Approx(1.f / 0.75f)));
    kept += v != 0.f;
  }
  // 6400 draws at p = 0.75: the kept fraction lies within 4 standard deviations (0.022) of 0.75.
  CHECK(std::abs(double(kept) / 6400 - 0.75) < 0.022);

  // The gradient goes through the same mask as the forward pass.
  Backend& backend = current_backend();
  Tensor dy(backend, shape);
  backend.upload(ones.data(), dy);
  const Tensor dx = dropout.backward(dy, true);
  std::vector<float> dx_host(6400);
  backend.download(dx, dx_host.data());
  CHECK(dx_host == y);
  // Unseeded, so that the check's reseeding of strata's generator repeats the mask.
  Dropout unseeded(0.5f);
  testing::check_backward_uses_last_call(unseeded, {4, 6});
  testing::check_config_round_trip([] { return std::make_shared<Dropout>(0.5f); }, {kNone, 3});
  CHECK_THROWS_AS(Dropout(1.5f), ValueError);
}

TEST_CASE("Dropout masks are the same on every backend for one seed", "[layers][dropout][parity]") {
  std::vector<std::vector<float>> masks;
  for (const auto& name : available_backends()) {
    set_backend(name);
    Dropout dropout(0.5f, {.seed = 9});
    masks.push_back(testing::run_forward(dropout, {8, 33}, std::vector<float>(264, 1.f), true));
  }
  for (const auto& mask : masks) CHECK(mask == masks.front());
}

TEST_CASE("InputLayer checks the rank and sizes it declares", "[layers][input]") {
  set_backend(GENERATE(from_range(available_backends())));
  InputLayer input(Shape{28, 28});
  CHECK(input.batch_shape() == Shape{kNone, 28, 28});
  const Tensor symbolic = Input({28, 28});
  CHECK(symbolic.symbolic());
  CHECK(symbolic.shape() == Shape{kNone, 28, 28});
  REQUIRE(input_layer_of(symbolic) != nullptr);
  CHECK(input_layer_of(symbolic)->batch_shape() == Shape{kNone, 28, 28});
  CHECK(input.get_config()["batch_shape"] == nlohmann::json::parse("[null, 28, 28]"));
  CHECK_THROWS_AS(input.build({kNone, 784}), ShapeError);
  auto copy = Layer::from_config({{"class_name", "InputLayer"}, {"config", {{"batch_input_shape", {nullptr, 5}}}}});
  CHECK(std::dynamic_pointer_cast<InputLayer>(copy)->batch_shape() == Shape{kNone, 5});
}

TEST_CASE("Layers take Keras's input_shape beside their name", "[layers][input_shape]") {
  CHECK_FALSE(Flatten().input_shape_arg().has_value());
  const Flatten flatten({.name = "flat", .input_shape = {28, 28}});
  CHECK(flatten.name() == "flat");
  CHECK(flatten.input_shape_arg() == Shape{28, 28});
  CHECK(Dense(4, "relu", {.input_shape = {784}}).input_shape_arg() == Shape{784});
  CHECK(Conv2D(4, 3, "linear", {.input_shape = {28, 28, 1}}).input_shape_arg() == Shape{28, 28, 1});
  CHECK(MaxPooling1D(2, {.input_shape = {8, 3}}).input_shape_arg() == Shape{8, 3});
  CHECK(Dropout(0.5f, {.input_shape = {6}}).input_shape_arg() == Shape{6});
  CHECK(Rescaling(0.5, 0.0, {.input_shape = {2, 2}}).input_shape_arg() == Shape{2, 2});
  // Not part of the config, as in Keras 3.
  CHECK_FALSE(Dense(4, "relu", {.input_shape = {784}}).get_config().contains("input_shape"));
}
