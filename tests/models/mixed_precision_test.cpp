// Keras's mixed precision: dtype policies, autocast of inputs and weights, float32 variables and
// gradients, the float32 fallback of layers that cannot compute in bfloat16, the float32 loss,
// and a training trajectory under mixed_bfloat16 that follows float32's.

#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "strata/datasets/fashion_mnist.hpp"
#include "strata/strata.hpp"
#include "support/goldens.hpp"

using namespace strata;
namespace mp = strata::mixed_precision;

namespace {

// Sets the global policy for one test and puts float32 back, whatever the test does.
struct GlobalPolicy {
  explicit GlobalPolicy(std::string_view name) { mp::set_global_policy(name); }
  ~GlobalPolicy() { mp::set_global_policy("float32"); }
  GlobalPolicy(const GlobalPolicy&) = delete;
  GlobalPolicy& operator=(const GlobalPolicy&) = delete;
};

xt::xarray<float> ramp(std::vector<std::size_t> shape) {
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = std::sin(0.37f * static_cast<float>(i));
  return a;
}

// The first `n` Fashion-MNIST training images scaled to [0, 1] as (n, 28, 28, 1), and labels.
std::pair<xt::xarray<float>, xt::xarray<float>> fashion_slice(std::size_t n) {
  static const auto data = datasets::fashion_mnist::load_data();
  xt::xarray<float> x = xt::view(data.x_train, xt::range(0, n));
  x = x / 255.f;
  x.reshape({n, 28, 28, 1});
  xt::xarray<float> y = xt::view(data.y_train, xt::range(0, n));
  return {x, y};
}

// Calls `mixed` (built under mixed_bfloat16) in training on `input`, then `twin` (the same layer in
// float32) with mixed's weights copied in: the outputs agree to bfloat16's rounding; mixed's
// output is bfloat16, its variables and their gradients float32, and its input's gradient comes
// back in the input's float32.
void check_against_float32_twin(Layer& mixed, Layer& twin, const xt::xarray<float>& input) {
  Backend& backend = current_backend();
  const Tensor x = from_host(backend, input);
  const Tensor y = mixed(x, true);
  CHECK(y.dtype() == DType::BF16);
  twin(x);  // builds it
  for (std::size_t i = 0; i < mixed.weights().size(); ++i) {
    CHECK(mixed.weights()[i]->value.dtype() == DType::F32);
    backend.copy(mixed.weights()[i]->value, twin.weights()[i]->value);
  }
  const auto want = to_host(twin(x));
  Tensor widened(backend, y.shape());
  backend.cast(y, widened);
  const auto got = to_host(widened);
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got.data()[i] == Approx(want.data()[i]).margin(0.03).epsilon(0.02));
  Tensor dy(backend, y.shape(), DType::BF16);
  backend.cast(from_host(backend, ramp(std::vector<std::size_t>(y.shape().dims().begin(), y.shape().dims().end()))),
               dy);
  CHECK(mixed.backward(dy, true).dtype() == DType::F32);
  for (const Variable* v : mixed.trainable_weights()) CHECK(v->grad.dtype() == DType::F32);
}

}  // namespace

TEST_CASE("Dtype policies are Keras's, and the ones Strata lacks are refused by name", "[mixed_precision]") {
  CHECK(mp::global_policy().name() == "float32");
  const mp::DTypePolicy mixed("mixed_bfloat16");
  CHECK(mixed.compute_dtype() == DType::BF16);
  CHECK(mixed.variable_dtype() == DType::F32);
  CHECK(mp::DTypePolicy().compute_dtype() == DType::F32);
  CHECK_THROWS_WITH(mp::DTypePolicy("mixed_float16"), Catch::Contains("float16 tensors, which Strata does not have"));
  CHECK_THROWS_WITH(mp::DTypePolicy("bfloat16"), Catch::Contains("keeps variables in bfloat16"));
  CHECK_THROWS_WITH(mp::set_global_policy("float33"),
                    Catch::Contains("Cannot convert 'float33' to a mixed precision DTypePolicy"));
  CHECK(mp::global_policy().name() == "float32");  // a refused name leaves the policy alone
}

TEST_CASE("Layers take the global policy when constructed, or their own dtype option", "[mixed_precision]") {
  Dense before(4);
  {
    const GlobalPolicy policy("mixed_bfloat16");
    Dense under(4);
    Dense own(4, "linear", {.dtype = "float32"});
    Conv2D conv(8, 3, "relu");
    CHECK(under.compute_dtype() == DType::BF16);
    CHECK(under.variable_dtype() == DType::F32);
    CHECK(own.compute_dtype() == DType::F32);
    CHECK(conv.dtype_policy().name() == "mixed_bfloat16");
    CHECK(under.get_config()["dtype"]["config"]["name"] == "mixed_bfloat16");

    // Keras >= 3.4 writes the policy as an object, earlier versions as its name: both read back.
    auto again = Layer::from_config({{"class_name", "Dense"}, {"config", under.get_config()}});
    CHECK(again->compute_dtype() == DType::BF16);
    nlohmann::json old = own.get_config();
    old["dtype"] = "mixed_bfloat16";
    CHECK(Layer::from_config({{"class_name", "Dense"}, {"config", old}})->compute_dtype() == DType::BF16);
  }
  CHECK(before.compute_dtype() == DType::F32);
  CHECK(Dense(4).compute_dtype() == DType::F32);
}

TEST_CASE("Dense, Conv1D and Conv2D compute in bfloat16 under mixed_bfloat16, close to their float32 twins",
          "[mixed_precision]") {
  set_backend(GENERATE(from_range(available_backends())));
  const GlobalPolicy policy("mixed_bfloat16");
  // Both backends run these layers' ops in bfloat16.
  REQUIRE(current_backend().supports("dense_forward", DType::BF16));
  Dense dense(6, "relu");
  Dense dense_twin(6, "relu", {.dtype = "float32"});
  check_against_float32_twin(dense, dense_twin, ramp({5, 7}));
  Conv1D conv1d(4, 3, "relu");
  Conv1D conv1d_twin(4, 3, "relu", {.dtype = "float32"});
  check_against_float32_twin(conv1d, conv1d_twin, ramp({2, 10, 3}));
  Conv2D conv2d(16, 3, "relu");
  Conv2D conv2d_twin(16, 3, "relu", {.dtype = "float32"});
  check_against_float32_twin(conv2d, conv2d_twin, ramp({2, 7, 6, 3}));
}

TEST_CASE("A layer that cannot compute in bfloat16 falls back to float32", "[mixed_precision]") {
  set_backend(GENERATE(from_range(available_backends())));
  const GlobalPolicy policy("mixed_bfloat16");
  Backend& backend = current_backend();
  REQUIRE_FALSE(backend.supports("batch_norm_forward_training", DType::BF16));
  BatchNormalization norm;
  Tensor x(backend, Shape{4, 3}, DType::BF16);
  backend.cast(from_host(backend, ramp({4, 3})), x);
  const Tensor y = norm(x, true);
  CHECK(y.dtype() == DType::F32);
  CHECK(norm.compute_dtype() == DType::BF16);  // the policy says bfloat16; the call ran in float32
}

TEST_CASE("A mixed_bfloat16 model trains, evaluates and predicts with a float32 loss", "[mixed_precision]") {
  set_backend(GENERATE(from_range(available_backends())));
  const GlobalPolicy policy("mixed_bfloat16");
  set_random_seed(4);
  Sequential model({Input({7}), Dense(16, "relu"), Dense(3, "softmax")});
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  const xt::xarray<float> x = ramp({32, 7});
  xt::xarray<float> y = xt::zeros<float>({32});
  for (std::size_t i = 0; i < 32; ++i) y(i) = static_cast<float>(i % 3);
  const History history = model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0});
  CHECK(std::isfinite(history.history.at("loss").back()));
  const xt::xarray<float> p = model.predict(x, {.verbose = 0});
  REQUIRE(p.shape() == std::vector<std::size_t>{32, 3});
  // Softmax rows computed in bfloat16 sum to 1 within bfloat16's rounding.
  for (std::size_t r = 0; r < 32; ++r) CHECK(p(r, 0) + p(r, 1) + p(r, 2) == Approx(1.0).margin(0.02));
  const Logs logs = model.evaluate(x, y, {.verbose = 0});
  CHECK(std::isfinite(logs.at("loss")));
}

TEST_CASE("A convnet's mixed_bfloat16 trajectory follows float32's over 100 steps", "[mixed_precision][slow]") {
  set_backend("cpu");
  const auto [x, y] = fashion_slice(800);
  const auto trajectory = [&](const char* policy_name) {
    const GlobalPolicy policy(policy_name);
    set_random_seed(7);
    Sequential model({Input({28, 28, 1}), Conv2D(8, 3, "relu", {.name = "conv"}), MaxPooling2D(2),
                      Conv2D(16, 3, "relu"), MaxPooling2D(2), Flatten(), Dense(10, "softmax", {.dtype = "float32"})});
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    std::vector<double> losses;
    for (std::size_t step = 0; step < 100; ++step) {
      const std::size_t first = step % 25 * 32;
      const xt::xarray<float> xb = xt::view(x, xt::range(first, first + 32));
      const xt::xarray<float> yb = xt::view(y, xt::range(first, first + 32));
      losses.push_back(model.train_on_batch(xb, yb).at("loss"));
    }
    // The convolutions ran in the policy's dtype (no float32 fallback on the cpu backend).
    const Tensor features =
        model.get_layer("conv")(from_host(current_backend(), xt::xarray<float>(xt::view(x, xt::range(0, 2)))));
    CHECK(features.dtype() == mp::global_policy().compute_dtype());
    return losses;
  };
  const std::vector<double> f32 = trajectory("float32");
  const std::vector<double> bf16 = trajectory("mixed_bfloat16");
  // Both learn (the mean of the last ten losses well under the first), and each window of ten
  // steps stays within 10% of float32's.
  const auto window = [](const std::vector<double>& l, std::size_t begin) {
    double s = 0;
    for (std::size_t i = begin; i < begin + 10; ++i) s += l[i];
    return s / 10;
  };
  CHECK(window(f32, 90) < 0.6 * window(f32, 0));
  for (std::size_t begin = 0; begin < 100; begin += 10) {
    INFO("steps " << begin << " to " << begin + 9);
    CHECK(window(bf16, begin) == Approx(window(f32, begin)).epsilon(0.1));
  }
}

TEST_CASE("A convnet Keras trained under mixed_bfloat16 loads with its policies and goes on as in Keras",
          "[mixed_precision][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  const nlohmann::json& golden = strata::testing::golden_file("mixed_precision/mixed_cnn.json");
  const auto model = load_model(std::string(STRATA_GOLDEN_DIR) + "/mixed_precision/mixed_cnn.keras");
  for (const auto& [name, policy] : golden.at("policies").items())
    CHECK(model->get_layer(name).dtype_policy().name() == policy.get<std::string>());

  static const auto data = datasets::fashion_mnist::load_data();
  const auto images = [](const xt::xarray<std::uint8_t>& all, std::size_t first, std::size_t count) {
    xt::xarray<float> x = xt::view(all, xt::range(first, first + count));
    x = x / 255.f;
    x.reshape({count, 28, 28, 1});
    return x;
  };
  // Keras's bfloat16 convolutions and Strata's round in different places (XLA against oneDNN),
  // so the probabilities agree to bfloat16's precision, not float32's.
  const xt::xarray<float> p = model->predict(images(data.x_test, 0, golden.at("test_images")), {.verbose = 0});
  const std::vector<float> want = golden.at("predictions").at("data").get<std::vector<float>>();
  REQUIRE(p.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(p.data()[i] == Approx(want[i]).margin(2e-3));

  const std::size_t batch = golden.at("batch_size");
  const std::vector<double> losses = golden.at("losses").get<std::vector<double>>();
  for (std::size_t step = 0; step < losses.size(); ++step) {
    const std::size_t first = (step + 1) * batch;
    const xt::xarray<float> y = xt::view(data.y_train, xt::range(first, first + batch));
    const Logs logs = model->train_on_batch(images(data.x_train, first, batch), y);
    CHECK(logs.at("loss") == Approx(losses[step]).epsilon(0.01));
  }
}
