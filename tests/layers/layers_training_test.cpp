#include <catch2/catch.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

TEST_CASE("Pooling, normalization and reshaping layers train in a Sequential model", "[layers][training]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(3);
  // 6x6 images, bright in the top half (class 0) or the bottom half (class 1), with noise.
  const std::size_t n = 64;
  xt::xarray<float> x = xt::zeros<float>({n, std::size_t(6), std::size_t(6), std::size_t(1)});
  xt::xarray<float> y = xt::zeros<float>({n});
  const auto noise = testing::random_values(static_cast<std::int64_t>(n * 36), 5);
  for (std::size_t i = 0; i < n; ++i) {
    y(i) = float(i % 2);
    for (std::size_t r = 0; r < 6; ++r)
      for (std::size_t c = 0; c < 6; ++c)
        x(i, r, c, 0) = 0.3f * noise[i * 36 + r * 6 + c] + ((r < 3) == (i % 2 == 0) ? 1.f : 0.f);
  }
  Sequential model({Input({6, 6, 1}), Rescaling(2.0, -0.5), ZeroPadding2D(1), Cropping2D({{1, 1}, {0, 2}}),
                    UpSampling2D(2), AveragePooling2D(2), MaxPooling2D(3, {.strides = 1, .padding = "same"}),
                    BatchNormalization(), SpatialDropout2D(0.1, {.seed = 1}), Flatten(), Dense(8),
                    BatchNormalization({.momentum = 0.9}), LeakyReLU(), LayerNormalization(), Dense(2), Softmax()});
  CHECK(model.output_shape() == Shape{kNone, 2});
  model.compile(optimizers::Adam(0.01f), "sparse_categorical_crossentropy", {"accuracy"});
  const History history = model.fit(x, y, {.batch_size = 16, .epochs = 8, .verbose = 0});
  const auto& loss = history.history.at("loss");
  INFO("loss " << loss.front() << " -> " << loss.back());
  CHECK(loss.back() < 0.5 * loss.front());

  // fit moved the moving statistics; evaluate and predict use them and leave them alone.
  Layer* bn = model.layers()[10];
  REQUIRE(bn->class_name() == "BatchNormalization");
  const auto weights = model.get_weights();
  std::vector<float> mm(8);
  bn->weights()[2]->value.backend().download(bn->weights()[2]->value, mm.data());
  CHECK(std::any_of(mm.begin(), mm.end(), [](float v) { return v != 0.f; }));
  model.evaluate(x, y, {.verbose = 0});
  CHECK(model.get_weights() == weights);

  // Inference treats each sample alone: the same rows come out of a full and a partial batch.
  const xt::xarray<float> all = model.predict(x, {.verbose = 0});
  const xt::xarray<float> head = model.predict(xt::xarray<float>(xt::view(x, xt::range(0, 5))), {.verbose = 0});
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 2; ++j) CHECK(head(i, j) == Approx(all(i, j)).margin(1e-5));
}
