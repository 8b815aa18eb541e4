#pragma once
// Helpers shared by the optimizer tests: variables with host values, read-back, comparison.

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "strata/backend.hpp"
#include "strata/variable.hpp"

namespace strata::testing {

inline std::unique_ptr<Variable> make_variable(Backend& backend, const std::string& path, const Shape& shape,
                                               const std::vector<float>& value, const std::vector<float>& grad) {
  auto v = std::make_unique<Variable>();
  v->path = path;
  v->name = path.substr(path.rfind('/') + 1);
  v->value = Tensor(backend, shape);
  v->grad = Tensor(backend, shape);
  REQUIRE(value.size() == static_cast<std::size_t>(shape.num_elements()));
  REQUIRE(grad.size() == static_cast<std::size_t>(shape.num_elements()));
  backend.upload(value.data(), v->value);
  backend.upload(grad.data(), v->grad);
  return v;
}

inline std::vector<float> read(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

inline void set_grad(Variable& v, const std::vector<float>& grad) {
  REQUIRE(grad.size() == static_cast<std::size_t>(v.grad.size()));
  v.grad.backend().upload(grad.data(), v.grad);
}

/// |a - b| <= atol + rtol |b| for every element; a failure names the worst element.
inline void check_close(const std::vector<float>& actual, const std::vector<double>& expected, const std::string& what,
                        double rtol = 1e-6, double atol = 1e-7) {
  REQUIRE(actual.size() == expected.size());
  double worst = 0;  // the largest diff / allowance; NaN counts as a failure
  std::size_t worst_i = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double diff = std::abs(double(actual[i]) - expected[i]);
    const double ratio = std::isnan(diff) ? INFINITY : diff / (atol + rtol * std::abs(expected[i]));
    if (ratio > worst) {
      worst = ratio;
      worst_i = i;
    }
  }
  if (worst > 1) {
    FAIL_CHECK(what << "[" << worst_i << "]: got " << actual[worst_i] << ", expected " << expected[worst_i]
                    << " (difference " << std::abs(double(actual[worst_i]) - expected[worst_i]) << ", " << worst
                    << " times the tolerance)");
  } else {
    SUCCEED();
  }
}

}  // namespace strata::testing
