// The convolution layers against the layer checklist on every backend: finite-difference
// gradients of the input and every weight for odd sizes, strides, "same" padding with even
// kernels, dilation, groups and batch 1; config round trips; weight shapes; Keras's errors.
// Keras goldens (outputs, configs, output shapes, error texts) are in conv_golden_test.cpp.

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xreducer.hpp>

#include "strata/strata.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

namespace {

struct GradCase {
  std::string what;
  std::function<std::shared_ptr<Layer>()> make;
  Shape input_shape;  // batch included
};

void check_all(const std::vector<GradCase>& cases) {
  set_random_seed(1234);  // the weights' initial values: the same on every run
  for (const GradCase& c : cases) {
    INFO(c.what << " on " << current_backend().name() << ", input " << c.input_shape);
    auto layer = c.make();
    testing::check_gradients(*layer, c.input_shape);
    testing::check_config_round_trip(c.make, c.input_shape.with_batch(kNone));
  }
}

template <class L, class... Args>
std::function<std::shared_ptr<Layer>()> maker(Args... args) {
  return [=] { return std::make_shared<L>(args...); };
}

std::vector<float> download(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

}  // namespace

TEST_CASE("Conv2D gradients and config round trip", "[layers][conv][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  check_all({
      {"3x3 valid, odd sizes", maker<Conv2D>(4, Size2(3)), {2, 5, 7, 3}},
      {"batch 1, gelu", maker<Conv2D>(3, Size2(3), std::string("gelu")), {1, 4, 5, 2}},
      {"strides 2, same, even kernel 2x4",
       maker<Conv2D>(3, Size2(2, 4), std::string("linear"), Conv2DOptions{.strides = 2, .padding = "same"}),
       {2, 7, 8, 2}},
      {"same, 4x4 kernel, no bias",
       maker<Conv2D>(2, Size2(4), std::string("tanh"), Conv2DOptions{.padding = "same", .use_bias = false}),
       {1, 5, 6, 2}},
      {"dilation 2, same",
       maker<Conv2D>(2, Size2(3), std::string("sigmoid"), Conv2DOptions{.padding = "same", .dilation_rate = 2}),
       {2, 7, 6, 2}},
      {"dilation (2, 1), valid",
       maker<Conv2D>(3, Size2(2, 3), std::string("linear"), Conv2DOptions{.dilation_rate = {2, 1}}),
       {1, 6, 5, 2}},
      {"groups 2, strides (2, 1)",
       maker<Conv2D>(4, Size2(3, 2), std::string("linear"), Conv2DOptions{.strides = {2, 1}, .groups = 2}),
       {2, 7, 5, 4}},
      {"strides 3, valid, softmax",
       maker<Conv2D>(3, Size2(3), std::string("softmax"), Conv2DOptions{.strides = 3}),
       {1, 8, 10, 3}},
  });
}

TEST_CASE("Conv1D gradients and config round trip", "[layers][conv][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  check_all({
      {"k3 valid", maker<Conv1D>(4, std::int64_t{3}), {2, 9, 3}},
      {"batch 1, causal, dilation 2",
       maker<Conv1D>(3, std::int64_t{3}, std::string("tanh"), Conv1DOptions{.padding = "causal", .dilation_rate = 2}),
       {1, 8, 2}},
      {"same, even kernel, strides 2",
       maker<Conv1D>(2, std::int64_t{4}, std::string("linear"), Conv1DOptions{.strides = 2, .padding = "same"}),
       {2, 9, 3}},
      {"causal, strides 2",
       maker<Conv1D>(2, std::int64_t{2}, std::string("linear"), Conv1DOptions{.strides = 2, .padding = "causal"}),
       {2, 7, 2}},
      {"groups 2, no bias",
       maker<Conv1D>(4, std::int64_t{2}, std::string("sigmoid"), Conv1DOptions{.groups = 2, .use_bias = false}),
       {2, 6, 4}},
  });
}

TEST_CASE("Conv2DTranspose gradients and config round trip", "[layers][conv][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  check_all({
      {"3x3 valid", maker<Conv2DTranspose>(3, Size2(3)), {2, 4, 5, 2}},
      {"strides 2, same",
       maker<Conv2DTranspose>(2, Size2(3), std::string("linear"),
                              Conv2DTransposeOptions{.strides = 2, .padding = "same"}),
       {2, 3, 4, 3}},
      {"batch 1, strides 2, same, even kernel",
       maker<Conv2DTranspose>(3, Size2(4), std::string("tanh"),
                              Conv2DTransposeOptions{.strides = 2, .padding = "same"}),
       {1, 3, 3, 2}},
      {"strides 2, valid, output_padding 1",
       maker<Conv2DTranspose>(2, Size2(3), std::string("linear"),
                              Conv2DTransposeOptions{.strides = 2, .output_padding = Size2(1)}),
       {2, 3, 4, 2}},
      {"strides (2, 3), same, output_padding (1, 0)",
       maker<Conv2DTranspose>(
           2, Size2(3, 2), std::string("sigmoid"),
           Conv2DTransposeOptions{.strides = {2, 3}, .padding = "same", .output_padding = Size2(1, 0)}),
       {1, 3, 3, 2}},
      {"dilation 2, no bias",
       maker<Conv2DTranspose>(2, Size2(3), std::string("linear"),
                              Conv2DTransposeOptions{.dilation_rate = 2, .use_bias = false}),
       {1, 4, 4, 3}},
      {"kernel 2, strides 3, same",
       maker<Conv2DTranspose>(2, Size2(2), std::string("linear"),
                              Conv2DTransposeOptions{.strides = 3, .padding = "same"}),
       {2, 3, 2, 2}},
      {"kernel 1, strides 3, valid",
       maker<Conv2DTranspose>(3, Size2(1), std::string("linear"), Conv2DTransposeOptions{.strides = 3}),
       {1, 3, 2, 2}},
  });
}

TEST_CASE("DepthwiseConv2D gradients and config round trip", "[layers][conv][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  check_all({
      {"3x3 valid", maker<DepthwiseConv2D>(Size2(3)), {2, 5, 6, 3}},
      {"depth_multiplier 2, strides 2, same",
       maker<DepthwiseConv2D>(Size2(3), std::string("tanh"),
                              DepthwiseConv2DOptions{.strides = 2, .padding = "same", .depth_multiplier = 2}),
       {2, 7, 6, 2}},
      {"batch 1, even kernel, dilation 2, same",
       maker<DepthwiseConv2D>(Size2(2, 4), std::string("linear"),
                              DepthwiseConv2DOptions{.padding = "same", .depth_multiplier = 3, .dilation_rate = 2}),
       {1, 6, 7, 2}},
      {"strides and dilation together, no bias",
       maker<DepthwiseConv2D>(Size2(2), std::string("linear"),
                              DepthwiseConv2DOptions{.strides = 2, .dilation_rate = 2, .use_bias = false}),
       {1, 7, 7, 2}},
  });
}

TEST_CASE("SeparableConv2D gradients and config round trip", "[layers][conv][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  check_all({
      {"3x3 valid", maker<SeparableConv2D>(5, Size2(3)), {2, 5, 6, 3}},
      {"depth_multiplier 2, strides 2, same, relu",
       maker<SeparableConv2D>(4, Size2(3), std::string("sigmoid"),
                              SeparableConv2DOptions{.strides = 2, .padding = "same", .depth_multiplier = 2}),
       {2, 7, 6, 2}},
      {"batch 1, even kernel, dilation 2, same, no bias",
       maker<SeparableConv2D>(3, Size2(2, 3), std::string("tanh"),
                              SeparableConv2DOptions{.padding = "same", .dilation_rate = 2, .use_bias = false}),
       {1, 6, 6, 2}},
  });
}

TEST_CASE("Convolution layers follow Keras's weight names, shapes and order", "[layers][conv]") {
  set_backend(GENERATE(from_range(available_backends())));
  const auto names_and_shapes = [](Layer& layer, const Shape& input_shape) {
    layer.build(input_shape);
    std::vector<std::pair<std::string, Shape>> out;
    for (const Variable* w : layer.weights()) out.emplace_back(w->name, w->value.shape());
    return out;
  };
  using V = std::vector<std::pair<std::string, Shape>>;

  Conv2D conv(8, 3, "relu");
  CHECK_FALSE(conv.built());
  CHECK(names_and_shapes(conv, {kNone, 28, 28, 1}) == V{{"kernel", {3, 3, 1, 8}}, {"bias", {8}}});
  CHECK(conv.count_params() == 80);
  CHECK(conv.compute_output_shape({kNone, 28, 28, 1}) == Shape{kNone, 26, 26, 8});

  Conv2D grouped(6, {3, 2}, "linear", {.groups = 3, .use_bias = false});
  CHECK(names_and_shapes(grouped, {kNone, 8, 8, 9}) == V{{"kernel", {3, 2, 3, 6}}});

  Conv1D conv1d(4, 5);
  CHECK(names_and_shapes(conv1d, {kNone, 20, 3}) == V{{"kernel", {5, 3, 4}}, {"bias", {4}}});

  Conv2DTranspose transpose(4, 3);
  CHECK(names_and_shapes(transpose, {kNone, 5, 5, 3}) == V{{"kernel", {3, 3, 4, 3}}, {"bias", {4}}});

  DepthwiseConv2D depthwise(3, "linear", {.depth_multiplier = 1});
  CHECK(names_and_shapes(depthwise, {kNone, 6, 6, 4}) == V{{"kernel", {3, 3, 4, 1}}, {"bias", {4}}});

  SeparableConv2D separable(5, 3);
  CHECK(names_and_shapes(separable, {kNone, 6, 6, 4}) ==
        V{{"depthwise_kernel", {3, 3, 4, 1}}, {"pointwise_kernel", {1, 1, 4, 5}}, {"bias", {5}}});

  // Keras's automatic names.
  CHECK(Conv2D(2, 3).name().rfind("conv2d", 0) == 0);
  CHECK(Conv1D(2, 3).name().rfind("conv1d", 0) == 0);
  CHECK(Conv2DTranspose(2, 3).name().rfind("conv2d_transpose", 0) == 0);
  CHECK(DepthwiseConv2D(3).name().rfind("depthwise_conv2d", 0) == 0);
  CHECK(SeparableConv2D(2, 3).name().rfind("separable_conv2d", 0) == 0);
}

TEST_CASE("Convolution layers skip the input gradient when it is not needed", "[layers][conv]") {
  set_backend(GENERATE(from_range(available_backends())));
  Backend& backend = current_backend();
  const std::vector<std::function<std::shared_ptr<Layer>()>> makers = {
      maker<Conv2D>(3, Size2(3), std::string("tanh"), Conv2DOptions{.padding = "same"}),
      maker<Conv1D>(3, std::int64_t{3}, std::string("tanh"), Conv1DOptions{.padding = "causal"}),
      maker<Conv2DTranspose>(3, Size2(3), std::string("tanh"), Conv2DTransposeOptions{.strides = 2}),
      maker<DepthwiseConv2D>(Size2(3), std::string("tanh"), DepthwiseConv2DOptions{.depth_multiplier = 2}),
      maker<SeparableConv2D>(3, Size2(3), std::string("tanh")),
  };
  for (const auto& make : makers) {
    auto layer = make();
    const bool is_1d = layer->class_name() == "Conv1D";
    const Shape shape = is_1d ? Shape{2, 7, 2} : Shape{2, 6, 5, 2};
    Tensor x(backend, shape);
    const auto input = testing::random_values(shape.num_elements(), 5);
    backend.upload(input.data(), x);
    const Tensor y = (*layer)(x, true);
    Tensor dy(backend, y.shape());
    const auto r = testing::random_values(y.size(), 6);
    backend.upload(r.data(), dy);
    INFO(layer->class_name());
    const Tensor dx = layer->backward(dy, true);
    REQUIRE(dx.defined());
    std::vector<std::vector<float>> full;
    for (const Variable* w : layer->trainable_weights()) full.push_back(download(w->grad));
    for (Variable* w : layer->trainable_weights()) backend.fill(w->grad, 0.f);
    CHECK_FALSE(layer->backward(dy, false).defined());
    std::size_t i = 0;
    for (const Variable* w : layer->trainable_weights()) CHECK(download(w->grad) == full[i++]);
  }
}

TEST_CASE("Convolution layers take Keras's arguments from C++", "[layers][conv][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  const nlohmann::json c = Conv2D(16, {3, 5}, "relu", {.strides = 2, .padding = "SAME"}).get_config();
  CHECK(c["kernel_size"] == nlohmann::json::array({3, 5}));
  CHECK(c["strides"] == nlohmann::json::array({2, 2}));
  CHECK(c["padding"] == "same");
  CHECK(c["dilation_rate"] == nlohmann::json::array({1, 1}));
  CHECK(c["groups"] == 1);
  CHECK(c["data_format"] == "channels_last");
  CHECK(c["activation"] == "relu");
  CHECK(c["kernel_initializer"]["class_name"] == "GlorotUniform");

  const nlohmann::json t = Conv2DTranspose(4, 3, "linear", {.strides = 2, .output_padding = Size2(1, 0)}).get_config();
  CHECK(t["output_padding"] == nlohmann::json::array({1, 0}));
  CHECK(Conv2DTranspose(4, 3).get_config()["output_padding"].is_null());

  const nlohmann::json d = Conv1D(4, 3, "linear", {.padding = "causal", .dilation_rate = 2}).get_config();
  CHECK(d["kernel_size"] == nlohmann::json::array({3}));
  CHECK(d["dilation_rate"] == nlohmann::json::array({2}));
  CHECK(d["padding"] == "causal");

  const nlohmann::json s = SeparableConv2D(4, 3, "linear", {.depth_multiplier = 2}).get_config();
  CHECK(s["depth_multiplier"] == 2);
  CHECK(s["pointwise_initializer"]["class_name"] == "GlorotUniform");

  // A config from Keras with ints where Keras writes tuples, and a channels_first one.
  auto layer = Layer::from_config({{"class_name", "Conv2D"}, {"config", {{"filters", 2}, {"kernel_size", 3}}}});
  CHECK(layer->get_config()["kernel_size"] == nlohmann::json::array({3, 3}));
  CHECK_THROWS_AS(
      Layer::from_config({{"class_name", "Conv2D"},
                          {"config", {{"filters", 2}, {"kernel_size", 3}, {"data_format", "channels_first"}}}}),
      ValueError);
}

TEST_CASE("Convolution layers raise Keras's errors", "[layers][conv][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  CHECK_THROWS_WITH(Conv2D(0, 3),
                    "Invalid value for argument `filters`. Expected a strictly positive value. Received filters=0.");
  CHECK_THROWS_WITH(Conv2D(4, {0, 3}),
                    "The `kernel_size` argument must be a tuple of 2 integers. Received "
                    "kernel_size=(0, 3), including values {0} that do not satisfy `value > 0`");
  CHECK_THROWS_WITH(Conv2D(4, 3, "linear", {.strides = 2, .dilation_rate = 2}),
                    "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2, 2) "
                    "and dilation_rate=(2, 2)");
  CHECK_THROWS_WITH(Conv2D(4, 3, "linear", {.padding = "causal"}),
                    "The `padding` argument must be a list/tuple or one of {'valid', 'same'}. Received: causal");
  CHECK_THROWS_WITH(Conv2DTranspose(2, 3, "linear", {.strides = 2, .output_padding = Size2(2)}),
                    "`output_padding` must be strictly less than `strides` for all dimensions. At dimension 0, "
                    "`output_padding` is 2 but `strides` is 2. Received: output_padding=(2, 2), strides=(2, 2)");
  CHECK_THROWS_AS(Conv2D(4, 3, "relu7"), ValueError);

  Conv2D grouped(4, 3, "linear", {.groups = 2});
  CHECK_THROWS_WITH(grouped.build({kNone, 5, 5, 3}),
                    "The number of input channels must be evenly divisible by the number of groups. Received "
                    "groups=2, but the input has 3 channels (full input shape is (None, 5, 5, 3)).");
  Conv2D big(4, 5, "linear", {.name = "conv_probe"});
  CHECK_THROWS_WITH(big.build({kNone, 3, 6, 2}),
                    "Computed output size would be zero or negative. Received `inputs shape=(None, 3, 6, 2)`, "
                    "`kernel shape=(5, 5, 2, 4)`, `dilation_rate=[1 1]`, `strides=(1, 1)`, `padding=valid`.");
  CHECK_THROWS_WITH(big.build({kNone, 28, 28}),
                    "Input 0 of layer \"conv_probe\" is incompatible with the layer: expected min_ndim=4, found "
                    "ndim=3. Full shape received: (None, 28, 28)");

  // Once built, a call with other channels names both shapes; a too-small spatial input is refused.
  Conv2D conv(4, 3, "linear", {.name = "conv_built"});
  conv.build({kNone, 8, 8, 3});
  Tensor wrong(current_backend(), {2, 8, 8, 5});
  CHECK_THROWS_WITH(conv(wrong, false),
                    "Input 0 of layer \"conv_built\" is incompatible with the layer: expected axis -1 of input shape "
                    "to have value 3, but received input with shape (2, 8, 8, 5)");
  Tensor tiny(current_backend(), {2, 2, 8, 3});
  CHECK_THROWS_AS(conv(tiny, false), ShapeError);
  CHECK_THROWS_AS(Conv2D(4, 3).backward(tiny, true), StateError);
}

TEST_CASE("Convolution layers train in a Sequential model", "[layers][conv][training]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(7);
  // 6x6 images with a bright row (class 0) or a bright column (class 1) at a random place.
  const std::size_t n = 64;
  xt::xarray<float> x = xt::zeros<float>({n, std::size_t(6), std::size_t(6), std::size_t(1)});
  xt::xarray<float> y = xt::zeros<float>({n});
  const auto noise = testing::random_values(static_cast<std::int64_t>(n * 36), 9);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t label = i % 2, at = (i / 2) % 6;
    y(i) = float(label);
    for (std::size_t r = 0; r < 6; ++r)
      for (std::size_t c = 0; c < 6; ++c)
        x(i, r, c, 0) = 0.2f * noise[i * 36 + r * 6 + c] + ((label == 0 ? r : c) == at ? 1.f : 0.f);
  }
  Sequential model({Input({6, 6, 1}), Conv2D(4, 3, "relu", {.padding = "same"}),
                    DepthwiseConv2D(3, "tanh", {.padding = "same", .depth_multiplier = 2}),
                    SeparableConv2D(6, 3, "relu", {.strides = 2, .padding = "same"}),
                    Conv2DTranspose(3, 2, "relu", {.strides = 2}), Flatten(), Dense(2, "softmax")});
  CHECK(model.output_shape() == Shape{kNone, 2});
  model.compile(optimizers::Adam(0.01f), "sparse_categorical_crossentropy", {"accuracy"});
  const History history = model.fit(x, y, {.batch_size = 16, .epochs = 10, .verbose = 0});
  const auto& loss = history.history.at("loss");
  INFO("loss " << loss.front() << " -> " << loss.back() << ", accuracy " << history.history.at("accuracy").back());
  CHECK(loss.back() < 0.5 * loss.front());

  Sequential sequence({Input({8, 2}), Conv1D(4, 3, "tanh", {.padding = "causal"}), Flatten(), Dense(1)});
  sequence.compile("adam", "mse");
  const xt::xarray<float> xs = xt::reshape_view(xt::linspace<float>(-1.f, 1.f, 64 * 16), {64, 8, 2});
  const xt::xarray<float> ys = xt::sum(xs, {1, 2}) * 0.1f;
  const auto seq_loss = sequence.fit(xs, ys, {.batch_size = 16, .epochs = 8, .verbose = 0}).history.at("loss");
  CHECK(seq_loss.back() < seq_loss.front());
}
