#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

TEST_CASE("SpatialDropout2D drops whole channels per sample", "[layers][dropout][spatial_dropout]") {
  set_backend(GENERATE(from_range(available_backends())));
  const float rate = 0.4f;
  const std::int64_t n = 8, h = 3, w = 5, c = 16;
  SpatialDropout2D dropout(rate, {.seed = 11});
  const Shape shape{n, h, w, c};
  const auto x = testing::random_values(shape.num_elements(), 5);
  CHECK(testing::run_forward(dropout, shape, x, false) == x);

  const auto y = testing::run_forward(dropout, shape, x, true);
  // Each (sample, channel) keeps all of its h * w values scaled by 1 / (1 - rate), or none.
  std::vector<float> mask(static_cast<std::size_t>(n * c));
  std::size_t kept = 0;
  for (std::int64_t s = 0; s < n; ++s) {
    for (std::int64_t ch = 0; ch < c; ++ch) {
      const std::size_t first = static_cast<std::size_t>(s * h * w * c + ch);
      const bool keep = y[first] != 0.f || x[first] == 0.f;
      mask[static_cast<std::size_t>(s * c + ch)] = keep ? 1.f / (1.f - rate) : 0.f;
      kept += keep;
      for (std::int64_t p = 0; p < h * w; ++p) {
        const std::size_t i = first + static_cast<std::size_t>(p * c);
        REQUIRE(y[i] == Approx(keep ? x[i] / (1.f - rate) : 0.f));
      }
    }
  }
  // 128 draws at p = 0.6: the kept fraction lies within 4 standard deviations (0.17) of 0.6.
  CHECK(std::abs(double(kept) / double(n * c) - 0.6) < 0.17);

  // The gradient goes through the same per-channel mask.
  Backend& backend = current_backend();
  const auto r = testing::random_values(shape.num_elements(), 9);
  Tensor dy(backend, shape);
  backend.upload(r.data(), dy);
  const Tensor dx = dropout.backward(dy, true);
  REQUIRE(dx.shape() == shape);
  std::vector<float> dx_host(r.size());
  backend.download(dx, dx_host.data());
  for (std::size_t i = 0; i < r.size(); ++i) {
    const std::size_t sample = i / static_cast<std::size_t>(h * w * c);
    const std::size_t channel = i % static_cast<std::size_t>(c);
    REQUIRE(dx_host[i] == Approx(r[i] * mask[sample * static_cast<std::size_t>(c) + channel]));
  }
  // Unseeded, so that the check's reseeding of strata's generator repeats the mask.
  SpatialDropout2D unseeded(0.5);
  testing::check_backward_uses_last_call(unseeded, {2, 3, 3, 4});
}

TEST_CASE("SpatialDropout2D masks agree across backends for one seed; rate 0 and 1",
          "[layers][dropout][spatial_dropout][parity]") {
  std::vector<std::vector<float>> outputs;
  const std::vector<float> ones(2 * 3 * 3 * 7, 1.f);
  for (const auto& name : available_backends()) {
    set_backend(name);
    SpatialDropout2D dropout(0.5, {.seed = 4});
    outputs.push_back(testing::run_forward(dropout, {2, 3, 3, 7}, ones, true));
    SpatialDropout2D none(0.0);
    CHECK(testing::run_forward(none, {2, 3, 3, 7}, ones, true) == ones);
    SpatialDropout2D all(1.0);
    CHECK(testing::run_forward(all, {2, 3, 3, 7}, ones, true) == std::vector<float>(ones.size(), 0.f));
  }
  for (const auto& y : outputs) CHECK(y == outputs.front());
}

TEST_CASE("SpatialDropout2D config matches Keras's and round-trips", "[layers][dropout][spatial_dropout][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  testing::check_config_round_trip([] { return std::make_shared<SpatialDropout2D>(0.25, DropoutOptions{.seed = 3}); },
                                   {kNone, 4, 4, 2});
  const nlohmann::json config = SpatialDropout2D(0.3, {.name = "sd"}).get_config();
  CHECK(config ==
        nlohmann::json::parse(
            R"({"rate": 0.3, "seed": null, "name": "sd", "dtype": "float32", "data_format": "channels_last"})"));
  CHECK_THROWS_WITH(SpatialDropout2D(1.5), Catch::StartsWith("Invalid value received for argument `rate`"));
  CHECK_THROWS_AS(SpatialDropout2D(0.5).build({kNone, 4, 4}), ShapeError);
}
