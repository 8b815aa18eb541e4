#pragma once
// Helpers the backend tests share: the two backends under test, host <-> device copies, random
// and sentinel inputs, element-wise comparisons with tolerances, and central differences.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "strata/backend.hpp"
#include "strata/tensor.hpp"

namespace strata::testing {

Backend& cpu();
Backend& ref();
backends::CpuBackend& cpu_impl();

/// A reference-backend tensor of `shape` holding `values` (their count must match).
Tensor tensor(const Shape& shape, const std::vector<float>& values);

/// The values of `t`, downloaded from its own backend.
std::vector<float> host(const Tensor& t);

/// n values drawn uniformly from [lo, hi) by a std::mt19937 seeded with `seed`.
std::vector<float> uniform(std::int64_t n, float lo, float hi, std::uint32_t seed);

/// `values` with about one element in `every` replaced: half of those by NaN, +inf or -inf in
/// turn, half by -1, 0 or 1 so equal values meet in comparisons. Positions drawn with `seed`.
std::vector<float> with_specials(std::vector<float> values, std::uint32_t seed, std::size_t every = 7);

/// Every element: got[i] == Approx(want[i]).epsilon(rel).margin(abs).
void check_close(const std::vector<float>& got, const std::vector<double>& want, double rel = 1e-6, double abs = 1e-6);

/// d f / d x[i] by central difference. The step actually taken is what f32 can represent, so the
/// quotient divides by (x + h) - (x - h) as stored, not by 2h. x is left as it was.
double central_difference(Tensor& x, std::size_t i, float h, const std::function<double()>& f);

// ---- cpu against reference ------------------------------------------------------------------

/// The same values on both backends.
struct Twin {
  Tensor c;  // cpu
  Tensor r;  // reference
};

Twin twin(const Shape& shape, const std::vector<float>& values);

/// An output pair pre-filled with a sentinel, so an element an op forgets to write shows up.
Twin output(const Shape& shape);

/// Checks every element, |cpu - ref| <= abs + rel |ref| (NaN matches NaN); reports the count of
/// misses and the worst one instead of one line each.
void expect_close(const Tensor& got, const Tensor& want, double rel, double abs, const std::string& what);

/// Bit for bit the same floats (memcmp).
void expect_bitwise_equal(const Tensor& got, const Tensor& want, const std::string& what);

/// Equal values element by element (NaN matches NaN); reports the count that differ.
void expect_equal(const Tensor& got, const Tensor& want, const std::string& what);

}  // namespace strata::testing
