// strata::ops against keras.ops: outputs from tests/golden/ops.json (written by
// tests/golden/make_ops_goldens.py), on every backend.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "strata/backend.hpp"
#include "strata/ops.hpp"
#include "support/goldens.hpp"

using namespace strata;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("ops.json"); }

using Inputs = std::vector<Tensor>;
using Args = nlohmann::json;
using OpCall = std::function<Tensor(const Inputs&, const Args&)>;

std::optional<std::vector<int>> axes_of(const Args& args) {
  if (!args.contains("axes")) return std::nullopt;
  return args["axes"].get<std::vector<int>>();
}

// An arithmetic op with a tensor or a float as its second operand.
OpCall arithmetic(Tensor (*tensors)(const Tensor&, const Tensor&), Tensor (*right)(const Tensor&, float),
                  Tensor (*left)(float, const Tensor&)) {
  return [=](const Inputs& x, const Args& args) {
    if (!args.contains("scalar")) return tensors(x[0], x[1]);
    const float s = args["scalar"].get<float>();
    return args["scalar_first"].get<bool>() ? left(s, x[0]) : right(x[0], s);
  };
}

// The strata::ops call each golden's "op" names, with its "args".
const std::map<std::string, OpCall>& calls() {
  static const std::map<std::string, OpCall> table = {
      {"add", arithmetic(ops::add, ops::add, ops::add)},
      {"subtract", arithmetic(ops::subtract, ops::subtract, ops::subtract)},
      {"multiply", arithmetic(ops::multiply, ops::multiply, ops::multiply)},
      {"divide", arithmetic(ops::divide, ops::divide, ops::divide)},
      {"negative", [](const Inputs& x, const Args&) { return ops::negative(x[0]); }},
      {"matmul", [](const Inputs& x, const Args&) { return ops::matmul(x[0], x[1]); }},
      {"concatenate", [](const Inputs& x, const Args& a) { return ops::concatenate(x, a["axis"].get<int>()); }},
      {"reshape", [](const Inputs& x,
                     const Args& a) { return ops::reshape(x[0], Shape(a["shape"].get<std::vector<std::int64_t>>())); }},
      {"transpose", [](const Inputs& x, const Args& a) { return ops::transpose(x[0], axes_of(a)); }},
      {"expand_dims", [](const Inputs& x, const Args& a) { return ops::expand_dims(x[0], a["axis"].get<int>()); }},
      {"squeeze",
       [](const Inputs& x, const Args& a) {
         return ops::squeeze(x[0], a.contains("axis") ? std::optional<int>(a["axis"].get<int>()) : std::nullopt);
       }},
      {"slice",
       [](const Inputs& x, const Args& a) {
         return ops::slice(x[0], a["axis"].get<int>(), a["start"].get<std::int64_t>(), a["size"].get<std::int64_t>());
       }},
      {"sum", [](const Inputs& x, const Args& a) { return ops::sum(x[0], axes_of(a), a.value("keepdims", false)); }},
      {"mean", [](const Inputs& x, const Args& a) { return ops::mean(x[0], axes_of(a), a.value("keepdims", false)); }},
      {"max", [](const Inputs& x, const Args& a) { return ops::max(x[0], axes_of(a), a.value("keepdims", false)); }},
      {"relu", [](const Inputs& x, const Args&) { return ops::relu(x[0]); }},
      {"sigmoid", [](const Inputs& x, const Args&) { return ops::sigmoid(x[0]); }},
      {"tanh", [](const Inputs& x, const Args&) { return ops::tanh(x[0]); }},
      {"softmax", [](const Inputs& x, const Args& a) { return ops::softmax(x[0], a.value("axis", -1)); }},
      {"gelu", [](const Inputs& x, const Args& a) { return ops::gelu(x[0], a.value("approximate", true)); }},
      {"elu", [](const Inputs& x, const Args& a) { return ops::elu(x[0], a.value("alpha", 1.f)); }},
      {"selu", [](const Inputs& x, const Args&) { return ops::selu(x[0]); }},
      {"softplus", [](const Inputs& x, const Args&) { return ops::softplus(x[0]); }},
      {"silu", [](const Inputs& x, const Args&) { return ops::silu(x[0]); }},
      {"leaky_relu",
       [](const Inputs& x, const Args& a) { return ops::leaky_relu(x[0], a.value("negative_slope", 0.2f)); }},
  };
  return table;
}

}  // namespace

TEST_CASE("ops goldens come from Keras 3", "[ops][golden]") {
  CHECK(goldens()["keras_version"].get<std::string>().rfind("3.", 0) == 0);
  CHECK(goldens()["cases"].size() >= 40);
}

TEST_CASE("strata::ops match keras.ops", "[ops][golden]") {
  set_backend(GENERATE(from_range(available_backends())));
  for (const nlohmann::json& c : goldens()["cases"]) {
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name << " on " << current_backend().name());
    const auto call = calls().find(c["op"].get<std::string>());
    REQUIRE(call != calls().end());
    Inputs inputs;
    for (const nlohmann::json& input : c["inputs"]) {
      inputs.emplace_back(current_backend(), Shape(input["shape"].get<std::vector<std::int64_t>>()));
      const auto values = input["values"].get<std::vector<float>>();
      current_backend().upload(values.data(), inputs.back());
    }
    const Tensor y = call->second(inputs, c["args"]);
    REQUIRE(y.shape() == Shape(c["output_shape"].get<std::vector<std::int64_t>>()));
    std::vector<float> got(static_cast<std::size_t>(y.size()));
    y.backend().download(y, got.data());
    const nlohmann::json& expected = c["output"];
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double e = expected[i].get<double>();
      INFO("element " << i << ": strata " << got[i] << ", keras " << e);
      REQUIRE(std::abs(got[i] - e) <= 1e-5 * std::max(1.0, std::abs(e)));
    }
  }
}
