// strata::ops: values worked out by hand, central-difference gradients of every op (the op
// layers called directly through the layer checklist), symbolic shape inference, Keras's
// errors, and ops inside Functional and subclassed models.

#include "strata/ops.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/reductions.hpp"
#include "ops/shape_ops.hpp"
#include "strata/layers/add.hpp"
#include "strata/layers/concatenate.hpp"
#include "strata/strata.hpp"
#include "support/layer_checks.hpp"
#include "support/model_checks.hpp"

using namespace strata;
using namespace strata::testing;
namespace impl = strata::ops::impl;

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

void check_values(const Tensor& t, const Shape& shape, const std::vector<double>& want, double tolerance = 1e-6) {
  CHECK(t.shape() == shape);
  const auto got = values_of(t);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(tolerance).margin(tolerance));
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ValueError& e) {
    return e.what();
  }
  FAIL("no ValueError");
  return {};
}

// A composite layer whose call() is `f` on its inputs: runs composed ops as a subclassed
// model's call would (each op recorded by the tape on its own).
class FunctionLayer : public Layer {
 public:
  explicit FunctionLayer(std::function<Tensor(std::span<const Tensor>)> f)
      : Layer("function_layer", std::string()), f_(std::move(f)) {}
  std::string class_name() const override { return "FunctionLayer"; }

 protected:
  Tensor call(std::span<const Tensor> inputs, bool) override { return f_(inputs); }

 private:
  std::function<Tensor(std::span<const Tensor>)> f_;
};

struct OpCase {
  std::string label;
  std::function<std::shared_ptr<Layer>()> make;
  std::vector<Shape> shapes;
};

std::shared_ptr<Layer> activation(ActivationFunction f, const char* name) {
  return std::make_shared<impl::ActivationOp>(f, name, "activation");
}

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = {
      {"add", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Add); }, {{2, 3}, {2, 3}}},
      {"add broadcast", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Add); }, {{2, 3}, {3}}},
      {"subtract broadcast",
       [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Subtract); },
       {{2, 1, 4}, {3, 1}}},
      {"multiply broadcast", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Multiply); }, {{2, 3}, {2, 1}}},
      {"divide broadcast", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Divide); }, {{3, 1}, {1, 4}}},
      {"x + 2", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Add, 2.f, false); }, {{2, 3}}},
      {"1 - x", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Subtract, 1.f, true); }, {{2, 3}}},
      {"x * 3", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Multiply, 3.f, false); }, {{2, 3}}},
      {"x / 4", [] { return std::make_shared<impl::Arithmetic>(BinaryOp::Divide, 4.f, false); }, {{2, 3}}},
      {"negative", [] { return std::make_shared<impl::Negative>(); }, {{2, 3}}},
      {"matmul 2-D", [] { return std::make_shared<impl::Matmul>(); }, {{3, 4}, {4, 2}}},
      {"matmul rank 3", [] { return std::make_shared<impl::Matmul>(); }, {{2, 3, 4}, {4, 5}}},
      {"concatenate", [] { return std::make_shared<impl::Concatenate>(-1); }, {{2, 3}, {2, 1}}},
      {"concatenate axis 0", [] { return std::make_shared<impl::Concatenate>(0); }, {{2, 3}, {1, 3}, {2, 3}}},
      {"reshape",
       [] {
         return std::make_shared<impl::Reshape>(Shape{-1, 2});
       },
       {{2, 3, 2}}},
      {"transpose",
       [] {
         return std::make_shared<impl::Transpose>(std::vector<int>{0, 2, 1});
       },
       {{2, 3, 4}}},
      {"transpose reversed", [] { return std::make_shared<impl::Transpose>(std::nullopt); }, {{2, 3, 4}}},
      {"expand_dims", [] { return std::make_shared<impl::ExpandDims>(-1); }, {{2, 3}}},
      {"squeeze", [] { return std::make_shared<impl::Squeeze>(1); }, {{2, 1, 3}}},
      {"slice", [] { return std::make_shared<impl::Slice>(-1, 1, 2); }, {{2, 4}}},
      {"flip", [] { return std::make_shared<impl::Flip>(1); }, {{2, 3, 2}}},
      {"flip last axis", [] { return std::make_shared<impl::Flip>(-1); }, {{2, 4}}},
      {"sum all", [] { return std::make_shared<impl::Reduction>(ReduceOp::Sum, std::nullopt, false); }, {{2, 3}}},
      {"sum axis 1 keepdims",
       [] { return std::make_shared<impl::Reduction>(ReduceOp::Sum, std::vector<int>{1}, true); },
       {{2, 3, 2}}},
      {"mean axes 0, 2",
       [] {
         return std::make_shared<impl::Reduction>(ReduceOp::Mean, std::vector<int>{0, -1}, false);
       },
       {{2, 3, 2}}},
      {"max axis -1",
       [] { return std::make_shared<impl::Reduction>(ReduceOp::Max, std::vector<int>{-1}, false); },
       {{3, 4}}},
      {"relu", [] { return activation({ActivationKind::Relu}, "Relu"); }, {{3, 4}}},
      {"sigmoid", [] { return activation({ActivationKind::Sigmoid}, "Sigmoid"); }, {{3, 4}}},
      {"tanh", [] { return activation({ActivationKind::Tanh}, "Tanh"); }, {{3, 4}}},
      {"softmax", [] { return activation({ActivationKind::Softmax}, "Softmax"); }, {{3, 4}}},
      {"gelu exact", [] { return activation({ActivationKind::Gelu}, "Gelu"); }, {{3, 4}}},
      {"elu",
       [] {
         return activation({ActivationKind::Elu, 0.5f}, "Elu");
       },
       {{3, 4}}},
      {"selu", [] { return activation({ActivationKind::Selu}, "Selu"); }, {{3, 4}}},
      {"softplus", [] { return activation({ActivationKind::Softplus}, "Softplus"); }, {{3, 4}}},
      {"silu", [] { return activation({ActivationKind::Swish}, "Silu"); }, {{3, 4}}},
      {"leaky_relu",
       [] {
         return activation({ActivationKind::LeakyRelu, 0.2f}, "LeakyRelu");
       },
       {{3, 4}}},
      // The composed ones: approximate gelu and softmax over an inner axis.
      {"gelu approximate",
       [] { return std::make_shared<FunctionLayer>([](std::span<const Tensor> x) { return ops::gelu(x[0]); }); },
       {{3, 4}}},
      {"softmax axis 1",
       [] { return std::make_shared<FunctionLayer>([](std::span<const Tensor> x) { return ops::softmax(x[0], 1); }); },
       {{2, 3, 4}}},
      {"an expression: relu(a @ b + 1) * a0 / 2 - mean",
       [] {
         return std::make_shared<FunctionLayer>([](std::span<const Tensor> x) {
           const Tensor h = ops::relu(ops::matmul(x[0], x[1]) + 1.f);
           return h * ops::slice(x[0], 1, 0, 1) / 2.f - ops::mean(h, -1, true);
         });
       },
       {{3, 4}, {4, 5}}},
  };
  return cases;
}

}  // namespace

TEST_CASE("ops: arithmetic with broadcasting and floats", "[ops]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Tensor a = make({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor row = make({3}, {10, 20, 30});
  check_values(a + row, {2, 3}, {11, 22, 33, 14, 25, 36});
  check_values(a - row, {2, 3}, {-9, -18, -27, -6, -15, -24});
  check_values(row - a, {2, 3}, {9, 18, 27, 6, 15, 24});
  check_values(a * make({2, 1}, {2, -1}), {2, 3}, {2, 4, 6, -4, -5, -6});
  check_values(a / make({1}, {4}), {2, 3}, {0.25, 0.5, 0.75, 1, 1.25, 1.5});
  check_values(a * 2.f, {2, 3}, {2, 4, 6, 8, 10, 12});
  check_values(1.f - a, {2, 3}, {0, -1, -2, -3, -4, -5});
  check_values(a + 0.5f, {2, 3}, {1.5, 2.5, 3.5, 4.5, 5.5, 6.5});
  check_values(3.f + a, {2, 3}, {4, 5, 6, 7, 8, 9});
  check_values(6.f / a, {2, 3}, {6, 3, 2, 1.5, 1.2, 1});
  check_values(a / 2.f, {2, 3}, {0.5, 1, 1.5, 2, 2.5, 3});
  check_values(2.f * a, {2, 3}, {2, 4, 6, 8, 10, 12});
  check_values(a - 1.f, {2, 3}, {0, 1, 2, 3, 4, 5});
  check_values(-a, {2, 3}, {-1, -2, -3, -4, -5, -6});
  // (2, 1, 2) - (3, 1) -> (2, 3, 2): out[i][j][k] = a[i][0][k] - b[j][0].
  check_values(ops::subtract(make({2, 1, 2}, {1, 2, 3, 4}), make({3, 1}, {0, 1, 2})), {2, 3, 2},
               {1, 2, 0, 1, -1, 0, 3, 4, 2, 3, 1, 2});
}

TEST_CASE("ops: matmul", "[ops]") {
  set_backend(GENERATE(from_range(available_backends())));
  // [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]].
  check_values(ops::matmul(make({2, 2}, {1, 2, 3, 4}), make({2, 2}, {5, 6, 7, 8})), {2, 2}, {19, 22, 43, 50});
  // (2, 1, 2) x (2, 3): each row times [[1, 0, 1], [0, 1, 1]].
  check_values(ops::matmul(make({2, 1, 2}, {1, 2, 3, 4}), make({2, 3}, {1, 0, 1, 0, 1, 1})), {2, 1, 3},
               {1, 2, 3, 3, 4, 7});
}

TEST_CASE("ops: shapes", "[ops]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Tensor a = make({2, 3}, {1, 2, 3, 4, 5, 6});
  check_values(ops::concatenate({a, make({1, 3}, {7, 8, 9})}), {3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  check_values(ops::concatenate({a, make({2, 1}, {7, 8})}, -1), {2, 4}, {1, 2, 3, 7, 4, 5, 6, 8});
  check_values(ops::reshape(make({2, 6}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), {-1, 2}), {2, 3, 2},
               {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  check_values(ops::transpose(a), {3, 2}, {1, 4, 2, 5, 3, 6});
  check_values(ops::transpose(make({1, 2, 3}, {1, 2, 3, 4, 5, 6}), std::vector<int>{2, 0, 1}), {3, 1, 2},
               {1, 4, 2, 5, 3, 6});
  check_values(ops::expand_dims(a, 1), {2, 1, 3}, {1, 2, 3, 4, 5, 6});
  check_values(ops::expand_dims(a, -1), {2, 3, 1}, {1, 2, 3, 4, 5, 6});
  check_values(ops::squeeze(make({1, 3, 1}, {1, 2, 3})), {3}, {1, 2, 3});
  check_values(ops::squeeze(make({2, 1, 3}, {1, 2, 3, 4, 5, 6}), 1), {2, 3}, {1, 2, 3, 4, 5, 6});
  check_values(ops::slice(a, -1, 1, 2), {2, 2}, {2, 3, 5, 6});
  check_values(ops::slice(a, 1, -1, 1), {2, 1}, {3, 6});
  check_values(ops::slice(a, 0, 1, 1), {1, 3}, {4, 5, 6});
  check_values(ops::flip(a, 0), {2, 3}, {4, 5, 6, 1, 2, 3});
  check_values(ops::flip(a, -1), {2, 3}, {3, 2, 1, 6, 5, 4});
  check_values(ops::flip(make({1, 3, 2}, {1, 2, 3, 4, 5, 6}), 1), {1, 3, 2}, {5, 6, 3, 4, 1, 2});
}

TEST_CASE("ops: reductions", "[ops]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Tensor a = make({2, 3}, {1, 5, 3, 4, 2, 6});
  check_values(ops::sum(a), Shape{}, {21});
  check_values(ops::sum(a, std::nullopt, true), {1, 1}, {21});
  check_values(ops::sum(a, 0), {3}, {5, 7, 9});
  check_values(ops::sum(a, -1, true), {2, 1}, {9, 12});
  check_values(ops::mean(a, 1), {2}, {3, 4});
  check_values(ops::mean(a, std::vector<int>{0, 1}), Shape{}, {3.5});
  check_values(ops::max(a, 1), {2}, {5, 6});
  check_values(ops::max(a, 0, true), {1, 3}, {4, 5, 6});
}

TEST_CASE("ops: activations", "[ops]") {
  set_backend(GENERATE(from_range(available_backends())));
  const Tensor x = make({1, 3}, {-1, 0, 2});
  check_values(ops::relu(x), {1, 3}, {0, 0, 2});
  check_values(ops::sigmoid(x), {1, 3}, {1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-2.0))}, 1e-5);
  check_values(ops::tanh(x), {1, 3}, {std::tanh(-1.0), 0, std::tanh(2.0)}, 1e-5);
  check_values(ops::elu(x), {1, 3}, {std::exp(-1.0) - 1, 0, 2}, 1e-5);
  check_values(ops::elu(x, 0.5f), {1, 3}, {0.5 * (std::exp(-1.0) - 1), 0, 2}, 1e-5);
  const double selu_alpha = 1.6732632423543772, selu_scale = 1.0507009873554805;
  check_values(ops::selu(x), {1, 3}, {selu_scale * selu_alpha * (std::exp(-1.0) - 1), 0, selu_scale * 2}, 1e-5);
  check_values(ops::softplus(x), {1, 3}, {std::log1p(std::exp(-1.0)), std::log(2.0), std::log1p(std::exp(2.0))}, 1e-5);
  check_values(ops::silu(x), {1, 3}, {-1 / (1 + std::exp(1.0)), 0, 2 / (1 + std::exp(-2.0))}, 1e-5);
  check_values(ops::leaky_relu(x), {1, 3}, {-0.2, 0, 2}, 1e-6);
  check_values(ops::leaky_relu(x, 0.1f), {1, 3}, {-0.1, 0, 2}, 1e-6);
  // gelu: exact x Phi(x), and the tanh form at x = -1, 0, 2.
  const auto phi = [](double v) { return 0.5 * (1 + std::erf(v / std::sqrt(2.0))); };
  check_values(ops::gelu(x, false), {1, 3}, {-phi(-1), 0, 2 * phi(2)}, 1e-5);
  const auto tanh_form = [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  };
  check_values(ops::gelu(x), {1, 3}, {tanh_form(-1), 0, tanh_form(2)}, 1e-5);
  // softmax over the last axis and over axis 0 of [[0, ln 3], [ln 3, 0]].
  const float l3 = std::log(3.f);
  const Tensor s = make({2, 2}, {0, l3, l3, 0});
  check_values(ops::softmax(s), {2, 2}, {0.25, 0.75, 0.75, 0.25}, 1e-5);
  check_values(ops::softmax(make({2, 2}, {0, 0, l3, 0}), 0), {2, 2}, {0.25, 0.5, 0.75, 0.5}, 1e-5);
}

TEST_CASE("ops: every op's gradients against central differences", "[ops][gradients]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const OpCase& c : op_cases()) {
    INFO(c.label << " on " << current_backend().name());
    auto op = c.make();
    check_gradients_inputs(*op, c.shapes);
  }
}

TEST_CASE("ops: Keras's class names and automatic names", "[ops]") {
  set_backend("reference");
  const Tensor a = make({1, 2}, {1, 2});
  const auto op = std::make_shared<impl::Matmul>();
  CHECK(op->class_name() == "Matmul");
  CHECK(op->name().rfind("matmul", 0) == 0);
  CHECK(std::make_shared<impl::Arithmetic>(BinaryOp::Divide)->class_name() == "Divide");
  CHECK(std::make_shared<impl::ExpandDims>(0)->name().rfind("expand_dims", 0) == 0);
  CHECK(std::make_shared<impl::Reduction>(ReduceOp::Mean, std::nullopt, false)->class_name() == "Mean");
}

TEST_CASE("ops: symbolic tensors get Keras's inferred shapes", "[ops][symbolic]") {
  const Tensor x = Input({4, 3});  // (None, 4, 3)
  const Tensor v = Input({3});     // (None, 3)
  CHECK((x + 1.f).shape() == Shape{kNone, 4, 3});
  CHECK((x * x).shape() == Shape{kNone, 4, 3});
  CHECK(ops::add(x, Input({1, 3})).shape() == Shape{kNone, 4, 3});
  CHECK(ops::sum(x, 1).shape() == Shape{kNone, 3});
  CHECK(ops::mean(x, std::nullopt, true).shape() == Shape{1, 1, 1});
  CHECK(ops::max(x).shape() == Shape{});
  CHECK(ops::reshape(x, {-1}).shape() == Shape{kNone, 12});
  CHECK(ops::reshape(x, {2, -1, 2}).shape() == Shape{kNone, 2, 3, 2});
  CHECK(ops::transpose(x, std::vector<int>{0, 2, 1}).shape() == Shape{kNone, 3, 4});
  CHECK(ops::transpose(x).shape() == Shape{3, 4, kNone});
  CHECK(ops::expand_dims(v, 1).shape() == Shape{kNone, 1, 3});
  CHECK(ops::squeeze(ops::expand_dims(v, 1), 1).shape() == Shape{kNone, 3});
  CHECK(ops::slice(x, 1, 1, 2).shape() == Shape{kNone, 2, 3});
  CHECK(ops::flip(x, 1).shape() == Shape{kNone, 4, 3});
  CHECK(ops::concatenate({x, x}, 1).shape() == Shape{kNone, 8, 3});
  CHECK(ops::concatenate({x, x}).shape() == Shape{kNone, 4, 3});
  CHECK(ops::softmax(x, 1).shape() == Shape{kNone, 4, 3});
  CHECK(ops::gelu(x).shape() == Shape{kNone, 4, 3});
  CHECK(ops::matmul(x, Input({2})).shape() == Shape{kNone, 4, 2});  // (None, 2) as b: k unknown
  // An op's node is a graph node like a layer's.
  CHECK(ops::relu(x).node() != nullptr);
}

TEST_CASE("ops: Keras's errors for bad axes and shapes", "[ops][errors]") {
  set_backend("reference");
  const Tensor a = make({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(error_of([&] {
          ops::add(a, make({4}, {1, 2, 3, 4}));
        }) ==
        "Cannot broadcast shape, the failure dim has value 3, which cannot be broadcasted to 4. Input shapes are: "
        "[2, 3] and [4].");
  CHECK(error_of([&] {
          ops::matmul(a, make({2, 2}, {1, 2, 3, 4}));
        }) ==
        "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received `x1.shape=(2, 3)` and "
        "`x2.shape=(2, 2)`.");
  CHECK(error_of([&] { ops::sum(a, 2); }) == "axis 2 is out of bounds for an array with dimension 2.");
  CHECK(error_of([&] { ops::expand_dims(a, 3); }) == "axis 3 is out of bounds for an array with dimension 3.");
  CHECK(error_of([&] { ops::squeeze(a, 1); }) == "Cannot squeeze axis 1, because the dimension is not 1.");
  CHECK(error_of([&] {
          ops::transpose(a, std::vector<int>{0, 2});
        }) == "Each axis in `axes` must be an integer in [-2, 2). Received: axes=[0, 2].");
  CHECK(error_of([&] { ops::transpose(a, std::vector<int>{0}); }) ==
        "axis must be a list of the same length as the input shape, expected 2, but received 1.");
  CHECK(error_of([&] {
          ops::transpose(a, std::vector<int>{1, -1});
        }) ==
        "`axes` must be a valid permutation of the input dimensions (no duplicates). Received: axes=[1, -1] for "
        "input of rank 2.");
  CHECK(error_of([&] {
          ops::concatenate({a, make({2, 2}, {1, 2, 3, 4})});
        }) ==
        "Every value in `xs` must have the same shape except on the `axis` dim. But found element of shape (2, 2), "
        "which is different from the first element's shape (2, 3).");
  CHECK(error_of([&] { ops::reshape(a, {4}); }) ==
        "The total size of the tensor must be unchanged. Received: input_shape=(3,), newshape=(4,)");
  CHECK(error_of([&] {
          ops::reshape(a, {-1, -1});
        }) == "There must be at most one unknown dimension (-1) in `newshape`. Received: newshape=(-1, -1).");
  CHECK(error_of([&] { ops::slice(a, 1, 2, 2); }).find("out of bounds") != std::string::npos);
  CHECK(error_of([&] { ops::slice(a, 2, 0, 1); }) == "axis 2 is out of bounds for an array with dimension 2.");
  CHECK(error_of([&] { ops::softmax(a, 5); }) == "axis 5 is out of bounds for an array with dimension 2.");
  CHECK(error_of([&] { ops::flip(a, -3); }) == "axis -3 is out of bounds for an array with dimension 2.");
}

TEST_CASE("ops and merge layers inside models: gradients through the tape", "[ops][engine]") {
  set_backend(GENERATE(from_range(available_backends())));
  set_random_seed(5);
  // Functional: two inputs, merge layers and ops between Dense layers.
  const Tensor a = Input({4});
  const Tensor b = Input({4});
  Dense left(3, "tanh"), right(3);
  const Tensor l = left(a), r = right(b);
  const Tensor merged = Concatenate()({Add()({l, r}), ops::sigmoid(l) * r - 0.5f});
  Dense head(2);
  Model functional({a, b}, head(ops::softmax(merged) + ops::mean(merged, -1, true)));
  check_model_gradients(functional, {random_array({5, 4}, 1), random_array({5, 4}, 2)});

  // Subclassed: the same kind of expression in call(), run eagerly each step.
  struct Gated : Model {
    Dense value{4}, gate{4, "sigmoid"}, out{2};
    Tensor call(const Tensor& x, bool) override {
      const Tensor h = value(x) * gate(x);
      return out(ops::relu(h) + ops::slice(h, -1, 0, 1) / 2.f);
    }
  } gated;
  check_model_gradients(gated, {random_array({3, 5}, 3)});
}
