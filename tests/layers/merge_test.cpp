// The merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot):
// forward values worked out by hand, gradients against central differences on every backend
// (broadcasting inputs included), symbolic shapes, config round trips and Keras's error texts.

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "strata/layers/add.hpp"
#include "strata/layers/average.hpp"
#include "strata/layers/concatenate.hpp"
#include "strata/layers/dot.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/layers/maximum.hpp"
#include "strata/layers/minimum.hpp"
#include "strata/layers/multiply.hpp"
#include "strata/layers/subtract.hpp"
#include "support/layer_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

Tensor make(const Shape& shape, const std::vector<float>& values) {
  Tensor t(current_backend(), shape);
  REQUIRE(static_cast<std::size_t>(t.size()) == values.size());
  current_backend().upload(values.data(), t);
  return t;
}

std::vector<float> values_of(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

// The layer's output on `inputs` (an inference call), with its shape checked.
std::vector<float> merged(Layer& layer, std::initializer_list<Tensor> inputs, const Shape& want_shape) {
  const Tensor y = layer(inputs);
  CHECK(y.shape() == want_shape);
  return values_of(y);
}

// The message of the ValueError `f` throws.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  FAIL("no ValueError");
  return {};
}

struct MergeCase {
  std::string label;
  std::function<std::shared_ptr<Layer>()> make;
  std::vector<Shape> shapes;
};

const std::vector<MergeCase>& merge_cases() {
  static const std::vector<MergeCase> cases = {
      {"add", [] { return std::make_shared<Add>(); }, {{2, 3}, {2, 3}}},
      {"add three, row and column broadcast",
       [] { return std::make_shared<Add>(); },
       {{2, 4, 3}, {2, 1, 3}, {2, 4, 1}}},
      {"add lower rank", [] { return std::make_shared<Add>(); }, {{2, 3}, {2, 4, 3}}},
      {"subtract", [] { return std::make_shared<Subtract>(); }, {{2, 5}, {2, 5}}},
      {"subtract broadcast", [] { return std::make_shared<Subtract>(); }, {{3, 1, 4}, {3, 2, 4}}},
      {"multiply", [] { return std::make_shared<Multiply>(); }, {{2, 3}, {2, 3}, {2, 3}}},
      {"multiply broadcast", [] { return std::make_shared<Multiply>(); }, {{2, 3, 1}, {2, 1, 4}}},
      {"average", [] { return std::make_shared<Average>(); }, {{2, 3}, {2, 3}, {2, 3}}},
      {"average broadcast", [] { return std::make_shared<Average>(); }, {{2, 1}, {2, 5}}},
      {"maximum", [] { return std::make_shared<Maximum>(); }, {{3, 4}, {3, 4}, {3, 4}}},
      {"maximum broadcast", [] { return std::make_shared<Maximum>(); }, {{2, 3, 4}, {2, 1, 4}}},
      {"minimum", [] { return std::make_shared<Minimum>(); }, {{3, 4}, {3, 4}}},
      {"minimum broadcast", [] { return std::make_shared<Minimum>(); }, {{2, 4}, {2, 3, 4}}},
      {"concatenate last axis", [] { return std::make_shared<Concatenate>(); }, {{2, 3}, {2, 1}, {2, 4}}},
      {"concatenate middle axis", [] { return std::make_shared<Concatenate>(1); }, {{2, 2, 3}, {2, 1, 3}}},
      {"dot 2-D", [] { return std::make_shared<Dot>(1); }, {{3, 4}, {3, 4}}},
      {"dot (b, n, k)·(b, k, m)",
       [] {
         return std::make_shared<Dot>(DotAxes{2, 1});
       },
       {{2, 3, 4}, {2, 4, 5}}},
      {"dot (b, n, k)·(b, m, k)", [] { return std::make_shared<Dot>(-1); }, {{2, 3, 4}, {2, 5, 4}}},
      {"dot (b, k, n)·(b, k)",
       [] {
         return std::make_shared<Dot>(DotAxes{1, 1});
       },
       {{2, 4, 3}, {2, 4}}},
      {"dot rank 4",
       [] {
         return std::make_shared<Dot>(DotAxes{2, 3});
       },
       {{2, 3, 4, 2}, {2, 2, 3, 4}}},
  };
  return cases;
}

}  // namespace

TEST_CASE("Element-wise merges: values, broadcasting as Keras's Merge", "[layers][merge]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Tensor a = make({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = make({2, 3}, {6, -5, 4, -3, 2, -1});
  const Tensor c = make({2, 3}, {0, 0, 9, 9, 0, 0});
  Add add;
  CHECK(merged(add, {a, b}, {2, 3}) == std::vector<float>{7, -3, 7, 1, 7, 5});
  CHECK(merged(add, {a, b, c}, {2, 3}) == std::vector<float>{7, -3, 16, 10, 7, 5});
  Subtract subtract;
  CHECK(merged(subtract, {a, b}, {2, 3}) == std::vector<float>{-5, 7, -1, 7, 3, 7});
  Multiply multiply;
  CHECK(merged(multiply, {a, b}, {2, 3}) == std::vector<float>{6, -10, 12, -12, 10, -6});
  Average average;
  // (1 + 6 + 0) / 3, (2 - 5 + 0) / 3, ...
  const auto mean = merged(average, {a, b, c}, {2, 3});
  const std::vector<float> want_mean = {7.f / 3, -1, 16.f / 3, 10.f / 3, 7.f / 3, 5.f / 3};
  for (std::size_t i = 0; i < mean.size(); ++i) CHECK(mean[i] == Approx(want_mean[i]).epsilon(1e-6));
  Maximum maximum;
  CHECK(merged(maximum, {a, b, c}, {2, 3}) == std::vector<float>{6, 2, 9, 9, 5, 6});
  Minimum minimum;
  CHECK(merged(minimum, {a, b, c}, {2, 3}) == std::vector<float>{0, -5, 3, -3, 0, -1});

  // A (2, 1, 3) row and a (2, 2, 1) column broadcast to (2, 2, 3).
  const Tensor row = make({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor col = make({2, 2, 1}, {10, 20, 30, 40});
  Add add2;
  CHECK(merged(add2, {row, col}, {2, 2, 3}) == std::vector<float>{11, 12, 13, 21, 22, 23, 34, 35, 36, 44, 45, 46});
  // A lower-rank input gains 1s after its batch axis: (2, 3) + (2, 2, 3).
  const Tensor wide = make({2, 2, 3}, {0, 0, 0, 10, 10, 10, 0, 0, 0, 10, 10, 10});
  Add add3;
  CHECK(merged(add3, {a, wide}, {2, 2, 3}) == std::vector<float>{1, 2, 3, 11, 12, 13, 4, 5, 6, 14, 15, 16});

  // NaN wins Maximum and Minimum, as NumPy's.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Maximum maximum2;
  const auto with_nan = merged(maximum2, {make({1, 2}, {nan, 1}), make({1, 2}, {5, nan})}, {1, 2});
  CHECK((std::isnan(with_nan[0]) && std::isnan(with_nan[1])));
}

TEST_CASE("Concatenate: values along any axis", "[layers][merge]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Tensor a = make({2, 2}, {1, 2, 3, 4});
  const Tensor b = make({2, 1}, {5, 6});
  Concatenate last;
  CHECK(merged(last, {a, b}, {2, 3}) == std::vector<float>{1, 2, 5, 3, 4, 6});
  Concatenate rows(0);
  CHECK(merged(rows, {a, make({1, 2}, {7, 8})}, {3, 2}) == std::vector<float>{1, 2, 3, 4, 7, 8});
  // Keras's docstring example: arange(20) as (2, 2, 5) and arange(20, 30) as (2, 1, 5) on axis 1.
  std::vector<float> x(20), y(10);
  for (int i = 0; i < 20; ++i) x[static_cast<std::size_t>(i)] = float(i);
  for (int i = 0; i < 10; ++i) y[static_cast<std::size_t>(i)] = float(20 + i);
  Concatenate middle(1);
  const auto joined = merged(middle, {make({2, 2, 5}, x), make({2, 1, 5}, y)}, {2, 3, 5});
  CHECK(std::vector<float>(joined.begin(), joined.begin() + 15) ==
        std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24});
  CHECK(std::vector<float>(joined.begin() + 15, joined.end()) ==
        std::vector<float>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29});
}

TEST_CASE("Dot: batch_dot values", "[layers][merge]") {
  set_backend(GENERATE(from_range(available_backends())));
  // Rows dotted: [1*5 + 2*6, 3*7 + 4*8] = [17, 53], shape (2, 1).
  Dot rows(1);
  CHECK(merged(rows, {make({2, 2}, {1, 2, 3, 4}), make({2, 2}, {5, 6, 7, 8})}, {2, 1}) == std::vector<float>{17, 53});
  // (1, 2, 3)·(1, 3, 2) with axes (2, 1): a matrix product per sample.
  // [[1, 2, 3], [4, 5, 6]] x [[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]].
  Dot matmul({2, 1});
  CHECK(merged(matmul, {make({1, 2, 3}, {1, 2, 3, 4, 5, 6}), make({1, 3, 2}, {1, 0, 0, 1, 1, 1})}, {1, 2, 2}) ==
        std::vector<float>{4, 5, 10, 11});
  // Keras's docstring shapes: (2, 3, 5)·(2, 10, 3) with axes (1, 2) -> (2, 5, 10); the first
  // sample's x is all 1, its y row j is j: out[0][i][j] = 3 j.
  std::vector<float> x(30, 1.f), y(60);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = float(i % 30 / 3);
  Dot docstring({1, 2});
  const auto out = merged(docstring, {make({2, 3, 5}, x), make({2, 10, 3}, y)}, {2, 5, 10});
  for (int j = 0; j < 10; ++j) CHECK(out[static_cast<std::size_t>(j)] == float(3 * j));
}

TEST_CASE("Merge layers: gradients against central differences", "[layers][merge][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const MergeCase& c : merge_cases()) {
    INFO(c.label << " on " << current_backend().name());
    auto layer = c.make();
    check_gradients_inputs(*layer, c.shapes);
  }
}

TEST_CASE("Merge layers: symbolic shapes follow Keras's compute_output_shape", "[layers][merge]") {
  const auto shape_of = [](Layer&& layer, std::initializer_list<Shape> shapes) {
    std::vector<Tensor> inputs;
    for (const Shape& s : shapes) inputs.push_back(Input(s));
    return layer(std::span<const Tensor>(inputs)).shape();
  };
  CHECK(shape_of(Add(), {{3}, {3}}) == Shape{kNone, 3});
  CHECK(shape_of(Add(), {{4, 3}, {3}}) == Shape{kNone, 4, 3});
  CHECK(shape_of(Multiply(), {{4, 1}, {1, 5}}) == Shape{kNone, 4, 5});
  CHECK(shape_of(Concatenate(), {{2, 3}, {2, 5}}) == Shape{kNone, 2, 8});
  CHECK(shape_of(Concatenate(1), {{2, 3}, {4, 3}}) == Shape{kNone, 6, 3});
  CHECK(shape_of(Dot(1), {{4}, {4}}) == Shape{kNone, 1});
  CHECK(shape_of(Dot({2, 1}), {{3, 4}, {4, 5}}) == Shape{kNone, 3, 5});
  CHECK(shape_of(Dot({1, 2}), {{3, 5}, {10, 3}}) == Shape{kNone, 5, 10});
  CHECK(shape_of(Dot(-1), {{7, 4}, {4}}) == Shape{kNone, 7});
}

TEST_CASE("Merge layers: configs round-trip and rebuild the same computation", "[layers][merge]") {
  for (const MergeCase& c : merge_cases()) {
    INFO(c.label);
    auto layer = c.make();
    std::vector<Tensor> inputs;
    for (std::size_t i = 0; i < c.shapes.size(); ++i)
      inputs.push_back(make(c.shapes[i], random_values(c.shapes[i].num_elements(), 40 + i)));
    const auto y = values_of((*layer)(std::span<const Tensor>(inputs)));
    const nlohmann::json config = layer->get_config();
    auto copy = Layer::from_config({{"class_name", layer->class_name()}, {"config", config}});
    CHECK(copy->class_name() == layer->class_name());
    CHECK(copy->get_config() == config);
    CHECK(values_of((*copy)(std::span<const Tensor>(inputs))) == y);
  }
  // Keras's keys: only the base ones for the element-wise merges.
  CHECK(Add({.name = "sum"}).get_config().dump() ==
        R"({"dtype":{"class_name":"DTypePolicy","config":{"name":"float32"},"module":"keras","registered_name":null},)"
        R"("name":"sum","trainable":true})");
  CHECK(Concatenate(1).get_config()["axis"] == 1);
  CHECK(Dot(1).get_config()["axes"] == 1);
  CHECK(Dot({1, 2}).get_config()["axes"] == nlohmann::json::array({1, 2}));
  CHECK(Dot(1).get_config()["normalize"] == false);
}

TEST_CASE("Merge layers: Keras's error texts", "[layers][merge][errors]") {
  const auto build = [](Layer&& layer, std::initializer_list<Shape> shapes) {
    return error_of([&] { layer.build(std::vector<Shape>(shapes)); });
  };
  CHECK(build(Add(), {{kNone, 3}, {kNone, 4}}) == "Inputs have incompatible shapes. Received shapes (3,) and (4,)");
  CHECK(build(Multiply(), {{kNone, 2, 3}, {kNone, 4}}) ==
        "Inputs have incompatible shapes. Received shapes (2, 3) and (4,)");
  CHECK(build(Subtract(), {{kNone, 3}, {kNone, 3}, {kNone, 3}}) ==
        "A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 3), (None, 3), "
        "(None, 3)]");
  CHECK(build(Concatenate(), {{kNone, 2, 3}, {kNone, 4, 5}}) ==
        "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: "
        "input_shape=[(None, 2, 3), (None, 4, 5)]");
  CHECK(build(Concatenate(), {{kNone, 3}, {kNone, 2, 3}}) ==
        "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: "
        "input_shape=[(None, 3), (None, 2, 3)]");
  CHECK(build(Dot(1), {{kNone, 3}}) ==
        "A `Dot` layer should be called on a list of 2 inputs. Received: input_shape=[(None, 3)]");
  CHECK(
      build(Dot(1), {{kNone, 3}, {kNone, 4}}) ==
      "Incompatible input shapes: axis values 3 (at axis 1) != 4 (at axis 1). Full input shapes: (None, 3), (None, 4)");
  CHECK(build(Dot(0), {{kNone, 3}, {kNone, 3}}).rfind("Cannot perform batch_dot over axis 0.", 0) == 0);
  CHECK(error_of([] {
          Dot({1, 2, 3});
        }) == "Invalid format for argument `axes`: it should contain two elements. Received: axes=[1, 2, 3]");
  CHECK(error_of([] { Dot(1, {.normalize = true}); }).find("normalize=True") != std::string::npos);

  // Concrete calls check what a symbolic build cannot: the batch sizes.
  set_backend("reference");
  Add add;
  CHECK(error_of([&] {
          add({make({2, 3}, std::vector<float>(6)), make({4, 3}, std::vector<float>(12))});
        }) == "Cannot merge tensors with different batch sizes. Received tensors with shapes [(2, 3), (4, 3)]");
  Dot dot(1);
  CHECK(error_of([&] {
          dot({make({2, 3}, std::vector<float>(6)), make({4, 3}, std::vector<float>(12))});
        }) ==
        "Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes (2, 3) and (4, 3).");
}
