#pragma once
// Shared by tests/losses and tests/metrics: nested JSON lists as xt::xarrays, golden files, and
// the comparisons the loss and metric tests make.

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "strata/backend.hpp"
#include "strata/tensor_host.hpp"

namespace strata::test {

inline void json_shape(const nlohmann::json& j, std::vector<std::size_t>& shape) {
  if (!j.is_array()) return;
  shape.push_back(j.size());
  if (!j.empty()) json_shape(j[0], shape);
}

inline void json_flatten(const nlohmann::json& j, std::vector<float>& out) {
  if (j.is_array()) {
    for (const auto& e : j) json_flatten(e, out);
  } else {
    out.push_back(j.get<float>());
  }
}

/// A nested JSON list (or a number: a 0-d array) as a row-major array.
inline xt::xarray<float> array_from_json(const nlohmann::json& j) {
  std::vector<std::size_t> shape;
  json_shape(j, shape);
  std::vector<float> data;
  json_flatten(j, data);
  xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
  REQUIRE(out.size() == data.size());
  std::copy(data.begin(), data.end(), out.begin());
  return out;
}

inline nlohmann::json read_golden(const std::string& file) {
  std::ifstream in(std::string(STRATA_GOLDEN_DIR) + "/" + file);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

/// A device tensor on `backend` holding a JSON list.
inline Tensor tensor_from_json(Backend& backend, const nlohmann::json& j) {
  return from_host(backend, array_from_json(j));
}

/// |a - b| <= atol + rtol |b|.
inline bool close(double a, double b, double rtol = 1e-5, double atol = 1e-6) {
  return std::abs(a - b) <= atol + rtol * std::abs(b);
}

/// Reads a (2,) state back: {total, count}.
inline std::pair<double, double> read_state(const Tensor& state) {
  const xt::xarray<float> host = to_host(state);
  return {host(0), host(1)};
}

}  // namespace strata::test

namespace strata::test {

/// An array of `shape` holding `data` row-major: for the shapes brace lists make ambiguous
/// ({{1.f}, {0.f}} columns, {{a, b}} single rows, 0-d scalars).
inline xt::xarray<float> array(std::vector<std::size_t> shape, std::vector<float> data) {
  xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
  REQUIRE(out.size() == data.size());
  std::copy(data.begin(), data.end(), out.begin());
  return out;
}

}  // namespace strata::test
