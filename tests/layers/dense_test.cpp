#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

TEST_CASE("Dense computes x W + b with known weights", "[layers][dense]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dense dense(2, "linear", {.kernel_initializer = "ones", .bias_initializer = initializers::Constant(0.5f)});
  dense.build({kNone, 3});
  // Each output is 0.5 + the sum of the inputs: {1, 2, 3} -> 6.5 and {-1, 0, 4} -> 3.5.
  const auto y = testing::run_forward(dense, {2, 3}, {1, 2, 3, -1, 0, 4}, false);
  CHECK(y == std::vector<float>{6.5f, 6.5f, 3.5f, 3.5f});
}

TEST_CASE("Dense builds lazily and follows Keras's shapes and weight order", "[layers][dense]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dense dense(4);
  CHECK_FALSE(dense.built());
  dense.build({kNone, 5, 3});
  CHECK(dense.compute_output_shape({kNone, 5, 3}) == Shape{kNone, 5, 4});
  const auto weights = dense.weights();
  REQUIRE(weights.size() == 2);
  CHECK(weights[0]->name == "kernel");
  CHECK(weights[0]->value.shape() == Shape{3, 4});
  CHECK(weights[1]->name == "bias");
  CHECK(dense.count_params() == 16);
}

TEST_CASE("Dense gradients match finite differences for every activation", "[layers][dense][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  const std::string activation = GENERATE("linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu",
                                          "leaky_relu", "softplus", "swish");
  INFO("activation " << activation << " on " << current_backend().name());
  Dense dense(5, activation);
  testing::check_gradients(dense, {4, 3});
}

TEST_CASE("Dense on a rank-3 input applies to the last axis", "[layers][dense][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dense dense(3, "tanh", {.use_bias = false});
  testing::check_gradients(dense, {2, 3, 4});
  CHECK(dense.weights().size() == 1);
}

TEST_CASE("Dense config round-trips through the layer registry", "[layers][dense][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  testing::check_config_round_trip(
      [] { return std::make_shared<Dense>(7, "relu", DenseOptions{.kernel_initializer = "he_normal"}); }, {kNone, 6});
  const nlohmann::json config = Dense(3, "softmax").get_config();
  CHECK(config["units"] == 3);
  CHECK(config["activation"] == "softmax");
  CHECK(config["kernel_initializer"]["class_name"] == "GlorotUniform");
  CHECK(config["bias_initializer"]["class_name"] == "Zeros");
}

TEST_CASE("Dense rejects inputs that do not fit, naming the layer and both shapes", "[layers][dense][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  Dense dense(4, "linear", {.name = "dense_probe"});
  dense.build({kNone, 784});
  Tensor x(current_backend(), {32, 28, 28});
  CHECK_THROWS_WITH(dense(x, false),
                    "Input 0 of layer \"dense_probe\" is incompatible with the layer: expected axis -1 of input "
                    "shape to have value 784, but received input with shape (32, 28, 28)");
  CHECK_THROWS_AS(Dense(0), ValueError);
  CHECK_THROWS_WITH(Dense(3, "relu6"), Catch::Contains("Could not interpret activation function identifier: relu6") &&
                                           Catch::Contains("leaky_relu"));
}
