#pragma once
// The JSON files real Keras wrote under tests/golden/ (see the make_*_goldens.py scripts beside
// them), read once per test binary.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/shape.hpp"

namespace strata::testing {

/// tests/golden/<file>, parsed on first use (REQUIRE fails when it cannot be read).
const nlohmann::json& golden_file(const std::string& file);

/// A JSON list of sizes as a Shape.
inline Shape shape_of(const nlohmann::json& dims) { return Shape(dims.get<std::vector<std::int64_t>>()); }

}  // namespace strata::testing
