#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "strata/strata.hpp"
#include "support/goldens.hpp"
#include "support/layer_checks.hpp"

using namespace strata;

namespace {

std::vector<float> download(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

void upload(const std::vector<float>& values, Tensor& t) { t.backend().upload(values.data(), t); }

void compare(const std::vector<float>& analytic, const std::vector<double>& numeric, double tolerance,
             const std::string& what) {
  double scale = 1.0;
  for (double v : numeric) scale = std::max(scale, std::abs(v));
  REQUIRE(analytic.size() == numeric.size());
  for (std::size_t i = 0; i < analytic.size(); ++i) {
    INFO(what << " element " << i << ": analytic " << analytic[i] << ", numeric " << numeric[i]);
    REQUIRE(std::abs(analytic[i] - numeric[i]) <= tolerance * scale);
  }
}

// testing::check_gradients in training mode, for layers whose training forward differs from
// inference (BatchNormalization): the numeric side also runs training calls and restores the
// non-trainable weights (the moving statistics) after each call, so every evaluation sees the
// same layer. L = sum(y * r) with r fixed; tolerance relative to the largest gradient, floored at 1.
void check_training_gradients(Layer& layer, const Shape& input_shape, double tolerance = 2e-2, float epsilon = 2e-3f) {
  Backend& backend = current_backend();
  std::vector<float> input = testing::random_values(input_shape.num_elements(), 7);
  layer.build(input_shape);
  std::vector<std::vector<float>> frozen;
  for (Variable* v : layer.non_trainable_weights()) frozen.push_back(download(v->value));
  const auto restore = [&] {
    auto vars = layer.non_trainable_weights();
    for (std::size_t i = 0; i < vars.size(); ++i) upload(frozen[i], vars[i]->value);
  };
  const auto forward = [&](const std::vector<float>& in) {
    auto y = testing::run_forward(layer, input_shape, in, true);
    restore();
    return y;
  };
  const std::vector<float> r = testing::random_values(static_cast<std::int64_t>(forward(input).size()), 11);
  const auto loss_at = [&](const std::vector<float>& in) {
    const auto y = forward(in);
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += double(y[i]) * r[i];
    return s;
  };

  Tensor x(backend, input_shape);
  upload(input, x);
  const Tensor y = layer(x, true);
  Tensor dy(backend, y.shape());
  upload(r, dy);
  const Tensor dx = layer.backward(dy, true);
  restore();
  REQUIRE(dx.shape() == input_shape);
  const std::vector<float> dx_host = download(dx);

  std::vector<double> numeric(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    const float saved = input[i];
    input[i] = saved + epsilon;
    const double plus = loss_at(input);
    input[i] = saved - epsilon;
    const double minus = loss_at(input);
    input[i] = saved;
    numeric[i] = (plus - minus) / (2.0 * epsilon);
  }
  compare(dx_host, numeric, tolerance, layer.name() + " dL/dx");

  for (Variable* w : layer.trainable_weights()) {
    const std::vector<float> analytic = download(w->grad);
    std::vector<float> value = download(w->value);
    std::vector<double> num(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
      const float saved = value[i];
      value[i] = saved + epsilon;
      upload(value, w->value);
      const double plus = loss_at(input);
      value[i] = saved - epsilon;
      upload(value, w->value);
      const double minus = loss_at(input);
      value[i] = saved;
      upload(value, w->value);
      num[i] = (plus - minus) / (2.0 * epsilon);
    }
    compare(analytic, num, tolerance, w->path);
  }
}

// Per-channel mean and biased variance of x viewed as (rows, c), in double.
void moments(const std::vector<float>& x, std::size_t c, std::vector<double>& mean, std::vector<double>& var) {
  const std::size_t rows = x.size() / c;
  mean.assign(c, 0.0);
  var.assign(c, 0.0);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < c; ++j) mean[j] += x[i * c + j];
  for (auto& m : mean) m /= double(rows);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < c; ++j) var[j] += (x[i * c + j] - mean[j]) * (x[i * c + j] - mean[j]);
  for (auto& v : var) v /= double(rows);
}

}  // namespace

TEST_CASE("BatchNormalization has Keras's weights, names and order", "[layers][normalization]") {
  set_backend(GENERATE(from_range(available_backends())));
  BatchNormalization bn;
  bn.build({kNone, 5, 5, 8});
  const auto weights = bn.weights();
  REQUIRE(weights.size() == 4);
  CHECK(weights[0]->name == "gamma");
  CHECK(weights[1]->name == "beta");
  CHECK(weights[2]->name == "moving_mean");
  CHECK(weights[3]->name == "moving_variance");
  CHECK(bn.trainable_weights().size() == 2);
  CHECK(bn.non_trainable_weights().size() == 2);
  CHECK_FALSE(weights[2]->trainable);
  CHECK(weights[3]->value.shape() == Shape{8});
  CHECK(bn.count_params() == 32);
  CHECK(download(weights[0]->value) == std::vector<float>(8, 1.f));
  CHECK(download(weights[3]->value) == std::vector<float>(8, 1.f));
  CHECK(bn.compute_output_shape({kNone, 5, 5, 8}) == Shape{kNone, 5, 5, 8});

  BatchNormalization bare({.center = false, .scale = false});
  bare.build({kNone, 3});
  REQUIRE(bare.weights().size() == 2);
  CHECK(bare.weights()[0]->name == "moving_mean");
  CHECK(bare.trainable_weights().empty());
}

TEST_CASE("BatchNormalization uses batch statistics in training and moving ones in inference",
          "[layers][normalization]") {
  set_backend(GENERATE(from_range(available_backends())));
  const double momentum = 0.8, epsilon = 1e-2;
  BatchNormalization bn({.momentum = momentum, .epsilon = epsilon});
  const std::size_t c = 3;
  const Shape shape{2, 2, 2, 3};  // 8 rows of 3 channels
  bn.build(shape.with_batch(kNone));
  std::vector<double> moving_mean(c, 0.0), moving_var(c, 1.0);

  // Several training calls: each normalises with its own batch's statistics and moves the
  // moving ones by Keras's rule moving = moving * momentum + batch * (1 - momentum).
  for (std::uint64_t step = 0; step < 3; ++step) {
    std::vector<float> x = testing::random_values(shape.num_elements(), 100 + step);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = x[i] * float(1 + i % c) + float(step);
    std::vector<double> mean, var;
    moments(x, c, mean, var);
    const auto y = testing::run_forward(bn, shape, x, true);
    for (std::size_t i = 0; i < x.size(); ++i)
      REQUIRE(y[i] == Approx((x[i] - mean[i % c]) / std::sqrt(var[i % c] + epsilon)).margin(1e-5));
    for (std::size_t j = 0; j < c; ++j) {
      moving_mean[j] = moving_mean[j] * momentum + mean[j] * (1 - momentum);
      moving_var[j] = moving_var[j] * momentum + var[j] * (1 - momentum);
    }
    const auto mm = download(bn.weights()[2]->value);
    const auto mv = download(bn.weights()[3]->value);
    for (std::size_t j = 0; j < c; ++j) {
      CHECK(mm[j] == Approx(moving_mean[j]).margin(1e-6));
      CHECK(mv[j] == Approx(moving_var[j]).margin(1e-6));
    }
  }

  // Inference uses the moving statistics and leaves them alone.
  const std::vector<float> x = testing::random_values(shape.num_elements(), 7);
  const auto y = testing::run_forward(bn, shape, x, false);
  for (std::size_t i = 0; i < x.size(); ++i)
    CHECK(y[i] == Approx((x[i] - moving_mean[i % c]) / std::sqrt(moving_var[i % c] + epsilon)).margin(1e-5));
  CHECK(download(bn.weights()[2]->value)[0] == Approx(moving_mean[0]).margin(1e-6));
}

TEST_CASE("A frozen BatchNormalization runs in inference mode, as in Keras", "[layers][normalization]") {
  set_backend(GENERATE(from_range(available_backends())));
  BatchNormalization bn({.gamma_initializer = initializers::Constant(2.f)});
  bn.build({kNone, 4});
  bn.set_trainable(false);
  const std::vector<float> before = download(bn.weights()[2]->value);
  const auto x = testing::random_values(12, 3);
  const auto y = testing::run_forward(bn, {3, 4}, x, true);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(y[i] == Approx(2 * x[i] / std::sqrt(1 + 1e-3)).margin(1e-6));
  CHECK(download(bn.weights()[2]->value) == before);
  // Its input gradient is that of the fixed affine map; check_gradients' inference side agrees.
  testing::check_gradients(bn, {3, 4});
  BatchNormalization images({.moving_variance_initializer = initializers::Constant(0.5f)});
  images.set_trainable(false);
  testing::check_gradients(images, {2, 3, 3, 4});
}

TEST_CASE("BatchNormalization training gradients match finite differences", "[layers][normalization][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  SECTION("default, 2-D") {
    BatchNormalization bn({.gamma_initializer = initializers::Constant(1.5f)});
    check_training_gradients(bn, {6, 3});
  }
  SECTION("4-D, odd sizes") {
    BatchNormalization bn({.beta_initializer = initializers::Constant(0.2f)});
    check_training_gradients(bn, {2, 3, 5, 4});
  }
  SECTION("batch 1, images") {
    BatchNormalization bn({.momentum = 0.5});
    check_training_gradients(bn, {1, 5, 5, 2});
  }
  SECTION("no scale") {
    BatchNormalization bn({.scale = false});
    check_training_gradients(bn, {5, 3});
  }
  SECTION("no center, no scale") {
    BatchNormalization bn({.epsilon = 1e-5, .center = false, .scale = false});
    check_training_gradients(bn, {4, 3, 2});
  }
}

TEST_CASE("BatchNormalization config round-trips and matches Keras's keys", "[layers][normalization][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  testing::check_config_round_trip([] { return std::make_shared<BatchNormalization>(); }, {kNone, 5});
  testing::check_config_round_trip(
      [] {
        return std::make_shared<BatchNormalization>(BatchNormalizationOptions{
            .momentum = 0.9, .epsilon = 1e-5, .center = false, .moving_variance_initializer = "zeros"});
      },
      {kNone, 3, 3, 4});
  testing::check_config_round_trip(
      [] { return std::make_shared<BatchNormalization>(BatchNormalizationOptions{.scale = false}); }, {kNone, 2, 3});
  const nlohmann::json config = BatchNormalization().get_config();
  CHECK(config["axis"] == -1);
  CHECK(config["momentum"] == 0.99);
  CHECK(config["epsilon"] == 0.001);
  CHECK(config["gamma_initializer"]["class_name"] == "Ones");
  CHECK(config["moving_mean_initializer"]["class_name"] == "Zeros");
  CHECK(config["renorm"] == false);
}

TEST_CASE("BatchNormalization refuses what it does not support", "[layers][normalization][errors]") {
  set_backend(GENERATE(from_range(available_backends())));
  BatchNormalization channels_first({.axis = 1, .name = "bn_probe"});
  CHECK_THROWS_WITH(channels_first.build({kNone, 4, 5, 5}),
                    Catch::Contains("layer \"bn_probe\": BatchNormalization supports only the last axis (axis=-1)"));
  BatchNormalization last_axis({.axis = 3});
  CHECK_NOTHROW(last_axis.build({kNone, 4, 5, 5}));
  CHECK_THROWS_AS(BatchNormalization({.axis = 4}).build({kNone, 4, 5, 5}), ValueError);
  CHECK_THROWS_WITH(Layer::from_config({{"class_name", "BatchNormalization"}, {"config", {{"renorm", true}}}}),
                    Catch::Contains("renorm=True is not supported yet"));
  BatchNormalization bn;
  bn.build({kNone, 3});
  Tensor x(current_backend(), {2, 4});
  CHECK_THROWS_AS(bn(x, false), ShapeError);
  Tensor dy(current_backend(), {2, 3});
  CHECK_THROWS_AS(bn.backward(dy, true), StateError);
}

TEST_CASE("LayerNormalization normalises each row over the last axis", "[layers][normalization]") {
  set_backend(GENERATE(from_range(available_backends())));
  LayerNormalization ln;
  ln.build({kNone, 4});
  REQUIRE(ln.weights().size() == 2);
  CHECK(ln.weights()[0]->name == "gamma");
  CHECK(ln.weights()[1]->name == "beta");
  const std::vector<float> x{1, 2, 3, 4, -2, 0, 0, 2};
  const auto y = testing::run_forward(ln, {2, 4}, x, false);
  // Row 1: mean 2.5, variance 1.25; row 2: mean 0, variance 2.
  for (std::size_t i = 0; i < 4; ++i) CHECK(y[i] == Approx((x[i] - 2.5) / std::sqrt(1.25 + 1e-3)));
  for (std::size_t i = 4; i < 8; ++i) CHECK(y[i] == Approx(x[i] / std::sqrt(2 + 1e-3)).margin(1e-7));
  // Training and inference agree.
  CHECK(testing::run_forward(ln, {2, 4}, x, true) == y);

  LayerNormalization bare({.center = false, .scale = false});
  bare.build({kNone, 3, 4});
  CHECK(bare.weights().empty());
}

TEST_CASE("LayerNormalization gradients match finite differences", "[layers][normalization][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  SECTION("2-D") {
    LayerNormalization ln({.gamma_initializer = initializers::Constant(1.5f)});
    testing::check_gradients(ln, {3, 5});
  }
  SECTION("3-D, odd sizes") {
    LayerNormalization ln({.epsilon = 1e-5, .beta_initializer = initializers::Constant(0.3f)});
    testing::check_gradients(ln, {2, 3, 7});
  }
  SECTION("batch 1, no center") {
    LayerNormalization ln({.center = false});
    testing::check_gradients(ln, {1, 6});
  }
  SECTION("no scale, no center") {
    LayerNormalization ln({.center = false, .scale = false});
    testing::check_gradients(ln, {2, 2, 5});
  }
}

TEST_CASE("LayerNormalization config round-trips; unsupported options are refused", "[layers][normalization][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  testing::check_config_round_trip([] { return std::make_shared<LayerNormalization>(); }, {kNone, 5});
  testing::check_config_round_trip(
      [] { return std::make_shared<LayerNormalization>(LayerNormalizationOptions{.epsilon = 1e-6, .scale = false}); },
      {kNone, 3, 4});
  LayerNormalization ln;
  CHECK(ln.get_config()["axis"] == -1);
  ln.build({kNone, 3});
  const nlohmann::json config = ln.get_config();
  CHECK(config["axis"] == nlohmann::json::parse("[-1]"));  // as Keras writes it once built
  CHECK(config["epsilon"] == 0.001);
  CHECK(config["rms_scaling"] == false);
  CHECK_THROWS_WITH(Layer::from_config({{"class_name", "LayerNormalization"}, {"config", {{"rms_scaling", true}}}}),
                    Catch::Contains("rms_scaling=True is not supported yet"));
  CHECK_THROWS_AS(Layer::from_config({{"class_name", "LayerNormalization"}, {"config", {{"axis", {1, 2}}}}}),
                  ValueError);
  CHECK_THROWS_AS(LayerNormalization({.axis = 1}).build({kNone, 3, 4}), ValueError);
}

// ---- Normalization (keras.layers.Normalization) --------------------------------------------

namespace {

const nlohmann::json& normalization_golden(const std::string& name) {
  for (const nlohmann::json& c : testing::golden_file("data/data.json")["normalization"])
    if (c["name"] == name) return c;
  FAIL("no golden case " << name);
  throw std::logic_error("unreachable");
}

xt::xarray<float> array_of(const nlohmann::json& shape, const nlohmann::json& values) {
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape.get<std::vector<std::size_t>>());
  const auto flat = values.get<std::vector<float>>();
  REQUIRE(flat.size() == a.size());
  std::copy(flat.begin(), flat.end(), a.begin());
  return a;
}

NormalizationOptions options_of(const nlohmann::json& config) {
  auto layer = std::dynamic_pointer_cast<Normalization>(Normalization::from_config(config));
  REQUIRE(layer);
  NormalizationOptions options = layer->options();
  options.name = {};
  return options;
}

void require_close(const xt::xarray<float>& got, const nlohmann::json& expected, double tolerance) {
  const auto values = expected.get<std::vector<double>>();
  REQUIRE(got.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("element " << i << ": " << got.data()[i] << " vs Keras's " << values[i]);
    REQUIRE(std::abs(got.data()[i] - values[i]) <= tolerance * std::max(1.0, std::abs(values[i])));
  }
}

}  // namespace

TEST_CASE("Normalization matches Keras: adapted statistics and outputs", "[layers][normalization][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const char* name : {"last_axis", "none", "rank3_last", "rank3_two_axes", "rank3_middle", "invert"}) {
    INFO(name);
    const nlohmann::json& golden = normalization_golden(name);
    Normalization layer(options_of(golden["config"]));
    layer.adapt(array_of(golden["adapt_shape"], golden["adapt"]));
    const std::vector<Variable*> weights = layer.weights();
    REQUIRE(weights.size() == 3);
    REQUIRE(weights[0]->name == "mean");
    REQUIRE(weights[1]->name == "variance");
    REQUIRE(weights[2]->name == "count");
    REQUIRE(layer.trainable_weights().empty());
    require_close(to_host(weights[0]->value), golden["mean"], 1e-6);
    require_close(to_host(weights[1]->value), golden["variance"], 1e-5);
    const xt::xarray<float> x = array_of(golden["x_shape"], golden["x"]);
    require_close(to_host(layer(from_host(current_backend(), x))), golden["y"], 1e-5);
  }
}

TEST_CASE("Normalization matches Keras with constant mean and variance", "[layers][normalization][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const char* name : {"constant_scalar", "constant_vector", "constant_rank3"}) {
    INFO(name);
    const nlohmann::json& golden = normalization_golden(name);
    Normalization layer(options_of(golden["config"]));
    const xt::xarray<float> x = array_of(golden["x_shape"], golden["x"]);
    // constant_vector has a zero variance: the denominator is Keras's epsilon, 1e-7.
    require_close(to_host(layer(from_host(current_backend(), x))), golden["y"], 1e-6);
    REQUIRE(layer.weights().empty());
    nlohmann::json config = layer.get_config();
    nlohmann::json keras = golden["config"];
    config.erase("name");
    keras.erase("name");
    config.erase("dtype");
    keras.erase("dtype");
    REQUIRE(config == keras);
  }
}

TEST_CASE("Normalization's config has Keras's keys and round-trips", "[layers][normalization][config]") {
  set_backend(GENERATE(from_range(available_backends())));
  nlohmann::json config = Normalization().get_config();
  nlohmann::json keras = normalization_golden("last_axis")["config"];
  for (nlohmann::json* c : {&config, &keras}) {
    c->erase("name");
    c->erase("dtype");
  }
  REQUIRE(config == keras);
  REQUIRE(Normalization({.axis = {}}).get_config()["axis"] == nlohmann::json::array());
  testing::check_config_round_trip([] { return std::make_shared<Normalization>(); }, {kNone, 4});
  testing::check_config_round_trip(
      [] {
        return std::make_shared<Normalization>(NormalizationOptions{.axis = {1, 2}, .invert = true});
      },
      {kNone, 3, 2});
  testing::check_config_round_trip(
      [] {
        return std::make_shared<Normalization>(
            NormalizationOptions{.mean = xt::xarray<float>({1.f, 2.f}), .variance = xt::xarray<float>({4.f, 9.f})});
      },
      {kNone, 3, 2});
}

TEST_CASE("Normalization passes gradients to its input and trains inside a model",
          "[layers][normalization][gradcheck]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (bool invert : {false, true}) {
    Normalization layer({.invert = invert});
    layer.adapt(xt::xarray<float>({{1.f, 10.f, -3.f}, {3.f, 30.f, -1.f}, {2.f, 14.f, 0.f}}));
    testing::check_gradients(layer, {4, 3});
  }
}

TEST_CASE("Normalization loads the weights file Keras saved", "[layers][normalization][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  const nlohmann::json& golden = testing::golden_file("data/data.json")["normalization_file"];
  Sequential model({Input({3}), Normalization()});
  model.load_weights(std::string(STRATA_GOLDEN_DIR) + "/data/normalization.weights.h5");
  require_close(to_host(model.weights()[0]->value), golden["mean"], 0);
  require_close(model.predict(array_of(golden["x_shape"], golden["x"])), golden["y"], 1e-6);
}

TEST_CASE("Normalization refuses what Keras refuses, with Keras's words", "[layers][normalization][errors]") {
  REQUIRE_THROWS_WITH(Normalization({.mean = xt::xarray<float>(1.f)}),
                      "When setting values directly, both `mean` and `variance` must be set. Received: mean=1.0 and "
                      "variance=None");
  REQUIRE_THROWS_WITH(Normalization({.mean = xt::xarray<float>({1.f, 2.f}), .variance = xt::xarray<float>({1.f})}),
                      "When setting values directly, `mean` and `variance` must have the same shape. Received: mean "
                      "shape (2,) and variance shape (1,)");
  REQUIRE_THROWS_WITH(Normalization({.mean = xt::ones<float>({1, 1}), .variance = xt::ones<float>({1, 1})}),
                      "The rank of `mean` must be less than or equal to the number of axes (1). Received: mean shape "
                      "(1, 1) for axis (-1,)");
  Normalization out_of_range({.axis = {2}});
  REQUIRE_THROWS_WITH(out_of_range.adapt(xt::zeros<float>({4, 3})),
                      Catch::Contains("All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                                      "ndim=2, while axis=(2,)"));
  Normalization batch_axis({.axis = {0}});
  REQUIRE_THROWS_WITH(batch_axis.adapt(xt::zeros<float>({4, 3})),
                      Catch::Contains("All `axis` values to be kept must have a known shape. Received axis=(0,), "
                                      "inputs.shape=(None, 3), with unknown axis at index 0"));
  Normalization adapted;
  adapted.adapt(xt::ones<float>({4, 3}));
  REQUIRE_THROWS_WITH(adapted.adapt(xt::ones<float>({4, 5})),
                      "The layer was built with input_shape=(None, 3), but adapt() is being called with data with an "
                      "incompatible shape, data.shape=(4, 5)");
  REQUIRE_THROWS_AS(adapted.adapt(xt::ones<float>({0, 3})), ValueError);
  Normalization constant({.mean = xt::xarray<float>(0.f), .variance = xt::xarray<float>(1.f)});
  REQUIRE_THROWS_AS(constant.adapt(xt::ones<float>({4, 3})), ValueError);
  // NaN in the data stays visible in the statistics and the outputs.
  Normalization with_nan;
  with_nan.adapt(xt::xarray<float>({{1.f, NAN}, {2.f, 3.f}}));
  const xt::xarray<float> y = to_host(with_nan(from_host(current_backend(), xt::xarray<float>({{1.f, 1.f}}))));
  REQUIRE(std::isnan(y(0, 1)));
  REQUIRE(y(0, 0) == Approx(-1.f));
}

TEST_CASE("Normalization adapts on a PyDataset batch by batch as on the whole array", "[layers][normalization]") {
  struct Rows : PyDataset {
    explicit Rows(int workers) : PyDataset({.workers = workers}) {}
    std::int64_t size() const override { return 3; }
    Batch get(std::int64_t index) override {
      // Batches of 5, 2 and 9 samples of shape (4, 2), with different means per batch.
      const std::size_t n = index == 0 ? 5 : index == 1 ? 2 : 9;
      xt::xarray<float> x = xt::xarray<float>::from_shape({n, std::size_t{4}, std::size_t{2}});
      for (std::size_t i = 0; i < x.size(); ++i)
        x.data()[i] = static_cast<float>(index * 3) + std::sin(static_cast<float>(i * 7 + index));
      Batch batch;
      batch.x.push_back(std::move(x));
      return batch;
    }
  };
  for (int workers : {1, 3}) {
    for (const std::vector<int>& axis : {std::vector<int>{-1}, std::vector<int>{}, std::vector<int>{1, 2}}) {
      Rows rows(workers);
      Normalization batched({.axis = axis});
      batched.adapt(rows);
      xt::xarray<float> whole = xt::concatenate(xt::xtuple(rows.get(0).x[0], rows.get(1).x[0], rows.get(2).x[0]));
      Normalization at_once({.axis = axis});
      at_once.adapt(whole);
      for (std::size_t w = 0; w < 2; ++w) {
        const xt::xarray<float> a = to_host(batched.weights()[w]->value), b = to_host(at_once.weights()[w]->value);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
          REQUIRE(a.data()[i] == Approx(b.data()[i]).epsilon(1e-5).margin(1e-6));
      }
    }
  }
  struct Empty : PyDataset {
    std::int64_t size() const override { return 0; }
    Batch get(std::int64_t) override { return {}; }
  } empty;
  Normalization layer;
  REQUIRE_THROWS_WITH(layer.adapt(empty), Catch::Contains("adapt() received an empty data set"));
  struct Mismatched : PyDataset {
    std::int64_t size() const override { return 2; }
    Batch get(std::int64_t index) override {
      Batch batch;
      batch.x.push_back(xt::ones<float>({std::size_t{3}, index == 0 ? std::size_t{4} : std::size_t{5}}));
      return batch;
    }
  } mismatched;
  REQUIRE_THROWS_WITH(layer.adapt(mismatched),
                      "adapt() yielded a batch with incompatible shape. Expected (None, 4), got (3, 5).");
}
