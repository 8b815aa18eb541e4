#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;
using testing::factory;
using testing::iota;
using testing::LayerCase;

namespace {

std::vector<LayerCase> pooling_cases() {
  return {
      {"MaxPooling2D()", factory<MaxPooling2D>(), {2, 4, 4, 3}},
      {"MaxPooling2D(2) odd sizes", factory<MaxPooling2D>(Size2(2)), {1, 5, 7, 2}},
      {"MaxPooling2D(3, 2, same)",
       factory<MaxPooling2D>(Size2(3), Pooling2DOptions{.strides = 2, .padding = "same"}),
       {2, 7, 5, 2}},
      {"MaxPooling2D({2, 3}, {1, 2})",
       factory<MaxPooling2D>(Size2(2, 3), Pooling2DOptions{.strides = Size2(1, 2)}),
       {1, 5, 7, 2}},
      {"MaxPooling2D(2, 1, same)",
       factory<MaxPooling2D>(Size2(2), Pooling2DOptions{.strides = 1, .padding = "same"}),
       {1, 3, 4, 2}},
      {"AveragePooling2D(2) odd sizes", factory<AveragePooling2D>(Size2(2)), {2, 5, 5, 3}},
      {"AveragePooling2D(3, 2, same)",
       factory<AveragePooling2D>(Size2(3), Pooling2DOptions{.strides = 2, .padding = "same"}),
       {1, 7, 6, 2}},
      {"AveragePooling2D({3, 2}, {2, 1}, same)",
       factory<AveragePooling2D>(Size2(3, 2), Pooling2DOptions{.strides = Size2(2, 1), .padding = "same"}),
       {2, 5, 4, 3}},
      {"MaxPooling1D()", factory<MaxPooling1D>(), {2, 7, 3}},
      {"MaxPooling1D(3, 2, same)",
       factory<MaxPooling1D>(3, Pooling1DOptions{.strides = 2, .padding = "same"}),
       {1, 8, 3}},
      {"AveragePooling1D(2)", factory<AveragePooling1D>(2), {1, 5, 4}},
      {"AveragePooling1D(3, 1, same)",
       factory<AveragePooling1D>(3, Pooling1DOptions{.strides = 1, .padding = "same"}),
       {2, 6, 2}},
      {"GlobalAveragePooling2D()", factory<GlobalAveragePooling2D>(), {2, 5, 3, 4}},
      {"GlobalAveragePooling2D(keepdims)", factory<GlobalAveragePooling2D>(true), {1, 3, 3, 2}},
      {"GlobalMaxPooling2D()", factory<GlobalMaxPooling2D>(), {2, 4, 5, 3}},
      {"GlobalMaxPooling2D(keepdims)", factory<GlobalMaxPooling2D>(true), {1, 3, 2, 2}},
      {"GlobalMaxPooling1D()", factory<GlobalMaxPooling1D>(), {2, 5, 3}},
      {"GlobalMaxPooling1D(keepdims)", factory<GlobalMaxPooling1D>(true), {3, 4, 2}},
      {"GlobalAveragePooling1D()", factory<GlobalAveragePooling1D>(), {2, 7, 3}},
      {"GlobalAveragePooling1D(keepdims)", factory<GlobalAveragePooling1D>(true), {1, 4, 3}},
  };
}

}  // namespace

TEST_CASE("MaxPooling2D and AveragePooling2D pool each window", "[layers][pooling]") {
  set_backend(GENERATE(from_range(available_backends())));
  // One 4x4 image holding 0..15 row by row.
  MaxPooling2D max_pool;
  CHECK(testing::run_forward(max_pool, {1, 4, 4, 1}, iota(16), false) == std::vector<float>{5, 7, 13, 15});
  AveragePooling2D avg_pool(2);
  CHECK(testing::run_forward(avg_pool, {1, 4, 4, 1}, iota(16), false) == std::vector<float>{2.5, 4.5, 10.5, 12.5});

  // "same" on 3x3 with pool 2, stride 2: Keras pads one row and column after; the padding is
  // never the maximum and is left out of the mean.
  AveragePooling2D avg_same(2, {.padding = "same"});
  CHECK(testing::run_forward(avg_same, {1, 3, 3, 1}, iota(9), false) == std::vector<float>{2, 3.5, 6.5, 8});
  MaxPooling2D max_same(2, {.padding = "same"});
  const std::vector<float> negative{-9, -8, -7, -6, -5, -4, -3, -2, -1};
  CHECK(testing::run_forward(max_same, {1, 3, 3, 1}, negative, false) == std::vector<float>{-5, -4, -2, -1});
}

TEST_CASE("1-D pooling pools along the steps axis, channel by channel", "[layers][pooling]") {
  set_backend(GENERATE(from_range(available_backends())));
  // (1, 5, 2): steps 0..4, channel 1 = -channel 0.
  const std::vector<float> x{0, -0, 1, -1, 2, -2, 3, -3, 4, -4};
  MaxPooling1D max_pool;
  CHECK(testing::run_forward(max_pool, {1, 5, 2}, x, false) == std::vector<float>{1, 0, 3, -2});
  AveragePooling1D avg_pool(3, {.strides = 1, .padding = "same"});
  const auto y = testing::run_forward(avg_pool, {1, 5, 2}, x, false);
  const std::vector<float> expected{0.5f, -0.5f, 1, -1, 2, -2, 3, -3, 3.5f, -3.5f};
  REQUIRE(y.size() == expected.size());
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(expected[i]));
  GlobalAveragePooling1D gap;
  CHECK(testing::run_forward(gap, {1, 5, 2}, x, false) == std::vector<float>{2, -2});
}

TEST_CASE("Global pooling reduces height and width per channel", "[layers][pooling]") {
  set_backend(GENERATE(from_range(available_backends())));
  // (2, 2, 2, 2): sample 0 holds 0..7, sample 1 holds 8..15.
  GlobalAveragePooling2D gap;
  CHECK(testing::run_forward(gap, {2, 2, 2, 2}, iota(16), false) == std::vector<float>{3, 4, 11, 12});
  GlobalMaxPooling2D gmp(true);
  CHECK(gmp.compute_output_shape({kNone, 2, 2, 2}) == Shape{kNone, 1, 1, 2});
  CHECK(testing::run_forward(gmp, {2, 2, 2, 2}, iota(16), false) == std::vector<float>{6, 7, 14, 15});
}

TEST_CASE("Pooling output shapes follow Keras", "[layers][pooling]") {
  CHECK(MaxPooling2D().compute_output_shape({kNone, 28, 28, 8}) == Shape{kNone, 14, 14, 8});
  CHECK(MaxPooling2D().compute_output_shape({kNone, 5, 7, 3}) == Shape{kNone, 2, 3, 3});
  CHECK(MaxPooling2D(3, {.strides = 2, .padding = "same"}).compute_output_shape({kNone, 7, 5, 3}) ==
        Shape{kNone, 4, 3, 3});
  CHECK(MaxPooling2D(3, {.strides = 1, .padding = "valid"}).compute_output_shape({kNone, 7, 5, 3}) ==
        Shape{kNone, 5, 3, 3});
  CHECK(AveragePooling2D({2, 3}, {.strides = Size2(1, 2)}).compute_output_shape({4, 5, 7, 2}) == Shape{4, 4, 3, 2});
  CHECK(MaxPooling2D({2, 2}, {.padding = "SAME"}).padding() == "same");
  CHECK(MaxPooling2D().compute_output_shape({kNone, kNone, 6, 1}) == Shape{kNone, kNone, 3, 1});
  CHECK(MaxPooling1D().compute_output_shape({kNone, 7, 3}) == Shape{kNone, 3, 3});
  CHECK(MaxPooling1D(3, {.strides = 2, .padding = "same"}).compute_output_shape({kNone, 8, 3}) == Shape{kNone, 4, 3});
  CHECK(AveragePooling1D(4, {.strides = 1}).compute_output_shape({kNone, 6, 2}) == Shape{kNone, 3, 2});
  CHECK(GlobalAveragePooling2D().compute_output_shape({kNone, 5, 3, 4}) == Shape{kNone, 4});
  CHECK(GlobalAveragePooling1D().compute_output_shape({kNone, 5, 4}) == Shape{kNone, 4});
  CHECK(GlobalAveragePooling1D(true).compute_output_shape({kNone, 5, 4}) == Shape{kNone, 1, 4});
  CHECK(MaxPooling2D(3).strides() == Size2(3));
}

TEST_CASE("Pooling gradients match finite differences", "[layers][pooling][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto cases = pooling_cases();
  const auto index = GENERATE_COPY(range(std::size_t{0}, cases.size()));
  const LayerCase& c = cases[index];
  INFO(c.label << " on " << current_backend().name() << ", input " << c.shape);
  auto layer = c.make();
  testing::check_gradients(*layer, c.shape);
}

TEST_CASE("Pooling configs round-trip through the layer registry", "[layers][pooling][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const LayerCase& c : pooling_cases()) {
    INFO(c.label);
    testing::check_config_round_trip(c.make, c.shape.with_batch(kNone));
  }
  const nlohmann::json config = MaxPooling2D(3, {.strides = 2, .padding = "same", .name = "pool"}).get_config();
  CHECK(config["pool_size"] == nlohmann::json::parse("[3, 3]"));
  CHECK(config["strides"] == nlohmann::json::parse("[2, 2]"));
  CHECK(config["padding"] == "same");
  CHECK(config["data_format"] == "channels_last");
  CHECK(MaxPooling1D().get_config()["pool_size"] == nlohmann::json::parse("[2]"));
  CHECK(GlobalAveragePooling2D().get_config()["keepdims"] == false);
  // Keras's strides=None reads as pool_size.
  auto layer = Layer::from_config(
      {{"class_name", "AveragePooling2D"}, {"config", {{"pool_size", {3, 2}}, {"strides", nullptr}}}});
  CHECK(std::dynamic_pointer_cast<AveragePooling2D>(layer)->strides() == Size2(3, 2));
}

TEST_CASE("Pooling layers refuse bad arguments in Keras's words", "[layers][pooling][errors]") {
  CHECK_THROWS_WITH(MaxPooling2D(0),
                    "The `pool_size` argument must be a tuple of 2 integers. Received "
                    "pool_size=(0, 0), including values {0} that do not satisfy `value > 0`");
  CHECK_THROWS_WITH(MaxPooling1D(2, {.strides = -1}),
                    Catch::Contains("The `strides` argument must be a tuple of 1 integers"));
  CHECK_THROWS_WITH(AveragePooling2D(2, {.padding = "causal"}),
                    "Argument `padding` must be either 'valid' or 'same'. Received: padding=causal");
  CHECK_THROWS_WITH(MaxPooling2D(6).compute_output_shape({kNone, 5, 5, 3}),
                    Catch::StartsWith("Computed output size would be zero or negative"));
  CHECK_THROWS_AS(MaxPooling2D(6).build({kNone, 5, 5, 3}), ValueError);
  CHECK_THROWS_WITH(MaxPooling2D(2, {.name = "pool_probe"}).build({kNone, 5, 5}),
                    Catch::Contains("Input 0 of layer \"pool_probe\" is incompatible with the layer: expected ndim=4"));
  CHECK_THROWS_AS(Layer::from_config({{"class_name", "MaxPooling2D"}, {"config", {{"data_format", "channels_first"}}}}),
                  ValueError);
  // Keras's AveragePooling layers have no default pool_size.
  CHECK_THROWS_AS(Layer::from_config({{"class_name", "AveragePooling1D"}, {"config", nlohmann::json::object()}}),
                  ValueError);
}

TEST_CASE("Pooling backward needs a training call", "[layers][pooling][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  MaxPooling2D pool;
  pool.build({kNone, 4, 4, 1});
  Tensor dy(current_backend(), {1, 2, 2, 1});
  CHECK_THROWS_AS(pool.backward(dy, true), StateError);
  testing::run_forward(pool, {1, 4, 4, 1}, iota(16), false);
  CHECK_THROWS_AS(pool.backward(dy, true), StateError);
}
