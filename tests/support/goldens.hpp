#pragma once
// The JSON files real Keras wrote under tests/golden/ (see the make_*_goldens.py scripts beside
// them), read once per test binary, and the checks of their whole-model cases.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "strata/shape.hpp"

namespace strata::testing {

/// tests/golden/<file>, parsed on first use (REQUIRE fails when it cannot be read).
const nlohmann::json& golden_file(const std::string& file);

/// A JSON list of sizes as a Shape.
inline Shape shape_of(const nlohmann::json& dims) { return Shape(dims.get<std::vector<std::int64_t>>()); }

/// A flat JSON list of values as a host array of `shape`.
xt::xarray<float> array_of(const nlohmann::json& values, const Shape& shape);

/// REQUIREs each of `size` values within 1e-5 (relative above 1) of the JSON list `expected`.
void check_close(const float* actual, std::size_t size, const nlohmann::json& expected, const std::string& what);

/// One whole-model case of make_masking_goldens.py's form (masking.json, recurrent.json,
/// wrappers.json): the model rebuilt from Keras's JSON with Keras's weights, on the current
/// backend, must keep the inputs' dtypes, predict Keras's output and, for L = sum(y * r), write
/// Keras's weight gradients.
void check_model_case(const nlohmann::json& golden_case);

/// Loads every Keras file a case of `golden` lists (its "files": .keras and legacy .h5 with
/// load_model, .weights.h5 into the model rebuilt from the case's JSON) from `dir` and checks
/// the predictions against the case's output. Returns how many files it loaded.
int check_keras_files(const nlohmann::json& golden, const std::string& dir);

}  // namespace strata::testing
