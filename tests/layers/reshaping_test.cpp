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

std::vector<LayerCase> reshaping_cases() {
  return {
      {"ZeroPadding2D()", factory<ZeroPadding2D>(), {2, 3, 2, 2}},
      {"ZeroPadding2D({1, 2})", factory<ZeroPadding2D>(Sides2(1, 2)), {1, 2, 3, 2}},
      {"ZeroPadding2D({{1, 0}, {2, 3}})", factory<ZeroPadding2D>(Sides2({1, 0}, {2, 3})), {2, 3, 3, 1}},
      {"Cropping2D()", factory<Cropping2D>(), {1, 3, 3, 2}},
      {"Cropping2D(1)", factory<Cropping2D>(Sides2(1)), {2, 4, 5, 2}},
      {"Cropping2D({1, 2})", factory<Cropping2D>(Sides2(1, 2)), {1, 5, 6, 2}},
      {"Cropping2D({{1, 0}, {2, 3}})", factory<Cropping2D>(Sides2({1, 0}, {2, 3})), {2, 4, 7, 1}},
      {"UpSampling2D()", factory<UpSampling2D>(), {2, 2, 3, 2}},
      {"UpSampling2D({2, 3})", factory<UpSampling2D>(Size2(2, 3)), {1, 3, 2, 2}},
      {"UpSampling2D(1)", factory<UpSampling2D>(Size2(1)), {1, 3, 3, 1}},
      {"Rescaling(1 / 255)", factory<Rescaling>(1.0 / 255), {2, 3, 4}},
      {"Rescaling(0.5, -1)", factory<Rescaling>(0.5, -1.0), {1, 5}},
      {"Rescaling(-2, 0.25) images", factory<Rescaling>(-2.0, 0.25), {2, 3, 3, 2}},
  };
}

}  // namespace

TEST_CASE("ZeroPadding2D and Cropping2D place and cut images", "[layers][reshaping]") {
  set_backend(GENERATE(from_range(available_backends())));
  // One 2x2 image, one channel: 1 2 / 3 4.
  ZeroPadding2D pad(Sides2({1, 0}, {0, 2}));
  CHECK(pad.compute_output_shape({kNone, 2, 2, 1}) == Shape{kNone, 3, 4, 1});
  CHECK(testing::run_forward(pad, {1, 2, 2, 1}, iota(4, 1), false) ==
        std::vector<float>{0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});

  // A 3x4 image 1..12, cropped by one row on top and one column each side.
  Cropping2D crop(Sides2({1, 0}, {1, 1}));
  CHECK(crop.compute_output_shape({kNone, 3, 4, 1}) == Shape{kNone, 2, 2, 1});
  CHECK(testing::run_forward(crop, {1, 3, 4, 1}, iota(12, 1), false) == std::vector<float>{6, 7, 10, 11});
  CHECK(Cropping2D(1).compute_output_shape({kNone, kNone, 5, 3}) == Shape{kNone, kNone, 3, 3});
  CHECK(ZeroPadding2D().compute_output_shape({4, kNone, 5, 3}) == Shape{4, kNone, 7, 3});
}

TEST_CASE("UpSampling2D repeats rows and columns", "[layers][reshaping]") {
  set_backend(GENERATE(from_range(available_backends())));
  UpSampling2D up({1, 2});
  CHECK(up.compute_output_shape({kNone, 2, 2, 1}) == Shape{kNone, 2, 4, 1});
  CHECK(testing::run_forward(up, {1, 2, 2, 1}, iota(4, 1), false) == std::vector<float>{1, 1, 2, 2, 3, 3, 4, 4});
  UpSampling2D square;
  CHECK(square.compute_output_shape({kNone, 3, 5, 2}) == Shape{kNone, 6, 10, 2});
  CHECK(testing::run_forward(square, {1, 1, 1, 2}, {1, 2}, false) == std::vector<float>{1, 2, 1, 2, 1, 2, 1, 2});
}

TEST_CASE("Rescaling scales and offsets", "[layers][preprocessing]") {
  set_backend(GENERATE(from_range(available_backends())));
  Rescaling rescale(0.5, -1.0);
  CHECK(testing::run_forward(rescale, {1, 4}, {0, 2, 4, 255}, false) == std::vector<float>{-1, 0, 1, 126.5});
  CHECK(rescale.compute_output_shape({kNone, 28, 28, 1}) == Shape{kNone, 28, 28, 1});
}

TEST_CASE("Reshaping gradients match finite differences", "[layers][reshaping][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto cases = reshaping_cases();
  const auto index = GENERATE_COPY(range(std::size_t{0}, cases.size()));
  const LayerCase& c = cases[index];
  INFO(c.label << " on " << current_backend().name() << ", input " << c.shape);
  auto layer = c.make();
  testing::check_gradients(*layer, c.shape);
}

TEST_CASE("Reshaping configs match Keras's keys and round-trip", "[layers][reshaping][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const LayerCase& c : reshaping_cases()) {
    INFO(c.label);
    testing::check_config_round_trip(c.make, c.shape.with_batch(kNone));
  }
  CHECK(ZeroPadding2D().get_config()["padding"] == nlohmann::json::parse("[[1, 1], [1, 1]]"));
  CHECK(ZeroPadding2D({2, 3}).get_config()["padding"] == nlohmann::json::parse("[[2, 2], [3, 3]]"));
  CHECK(Cropping2D({{1, 2}, {3, 4}}).get_config()["cropping"] == nlohmann::json::parse("[[1, 2], [3, 4]]"));
  const nlohmann::json up = UpSampling2D().get_config();
  CHECK(up["size"] == nlohmann::json::parse("[2, 2]"));
  CHECK(up["interpolation"] == "nearest");
  CHECK(Rescaling(1.0 / 255).get_config()["scale"] == 1.0 / 255);
  CHECK(Rescaling(1.0 / 255).get_config()["offset"] == 0.0);
  // Keras accepts an int and a symmetric pair in configs too.
  auto pad = Layer::from_config({{"class_name", "ZeroPadding2D"}, {"config", {{"padding", {1, 2}}}}});
  CHECK(std::dynamic_pointer_cast<ZeroPadding2D>(pad)->padding() == Sides2(1, 2));
  auto crop = Layer::from_config({{"class_name", "Cropping2D"}, {"config", {{"cropping", 3}}}});
  CHECK(std::dynamic_pointer_cast<Cropping2D>(crop)->cropping() == Sides2(3));
}

TEST_CASE("Reshaping layers refuse bad arguments in Keras's words", "[layers][reshaping][errors]") {
  CHECK_THROWS_WITH(Cropping2D(2).compute_output_shape({kNone, 4, 6, 1}),
                    "Values in `cropping` argument should be smaller than the corresponding spatial dimension of the "
                    "input. Received: input_shape=(None, 4, 6, 1), cropping=((2, 2), (2, 2))");
  CHECK_THROWS_AS(Cropping2D({{0, 0}, {3, 3}}).build({kNone, 4, 6, 1}), ValueError);
  CHECK_THROWS_WITH(Cropping2D(-1), Catch::StartsWith("`cropping` cannot be negative"));
  CHECK_THROWS_WITH(ZeroPadding2D({-1, 0}), Catch::StartsWith("`padding` cannot be negative"));
  CHECK_THROWS_WITH(UpSampling2D(2, {.interpolation = "bilinear"}),
                    "UpSampling2D with interpolation=\"bilinear\" is not supported yet; only \"nearest\" is");
  CHECK_THROWS_WITH(UpSampling2D(2, {.interpolation = "cubic"}),
                    Catch::StartsWith("Invalid value for argument `interpolation`"));
  CHECK_THROWS_WITH(UpSampling2D(0), Catch::StartsWith("The `size` argument must be a tuple of 2 integers"));
  CHECK_THROWS_AS(Layer::from_config({{"class_name", "UpSampling2D"}, {"config", {{"interpolation", "bilinear"}}}}),
                  ValueError);
  CHECK_THROWS_AS(ZeroPadding2D().build({kNone, 4, 4}), ShapeError);
  CHECK_THROWS_AS(Layer::from_config({{"class_name", "Rescaling"}, {"config", {{"scale", {0.5, 0.25}}}}}), ValueError);
}
