#include "support/backend_checks.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace strata::testing {

Backend& cpu() { return get_backend("cpu"); }
Backend& ref() { return get_backend("reference"); }
backends::CpuBackend& cpu_impl() { return dynamic_cast<backends::CpuBackend&>(cpu()); }

Tensor tensor(const Shape& shape, const std::vector<float>& values) {
  Tensor t(ref(), shape);
  REQUIRE(values.size() == static_cast<std::size_t>(t.size()));
  ref().upload(values.data(), t);
  return t;
}

std::vector<float> host(const Tensor& t) {
  std::vector<float> out(static_cast<std::size_t>(t.size()));
  t.backend().download(t, out.data());
  return out;
}

std::vector<float> uniform(std::int64_t n, float lo, float hi, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

std::vector<float> with_specials(std::vector<float> values, std::uint32_t seed, std::size_t every) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity()};
  std::mt19937 gen(seed);
  std::uniform_int_distribution<std::size_t> pick(0, 2 * every - 1);
  std::size_t next = 0;
  for (float& v : values) {
    const std::size_t draw = pick(gen);
    if (draw == 0) v = specials[next++ % 3];
    if (draw == 1) v = static_cast<float>(static_cast<int>(gen() % 3) - 1);
  }
  return values;
}

void check_close(const std::vector<float>& got, const std::vector<double>& want, double rel, double abs) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).epsilon(rel).margin(abs));
  }
}

double central_difference(Tensor& x, std::size_t i, float h, const std::function<double()>& f) {
  Backend& backend = x.backend();
  auto v = host(x);
  const float original = v[i];
  v[i] = original + h;
  const float plus = v[i];
  backend.upload(v.data(), x);
  const double f_plus = f();
  v[i] = original - h;
  const float minus = v[i];
  backend.upload(v.data(), x);
  const double f_minus = f();
  v[i] = original;
  backend.upload(v.data(), x);
  return (f_plus - f_minus) / (static_cast<double>(plus) - static_cast<double>(minus));
}

Twin twin(const Shape& shape, const std::vector<float>& values) {
  Twin t{Tensor(cpu(), shape), Tensor(ref(), shape)};
  REQUIRE(values.size() == static_cast<std::size_t>(t.c.size()));
  cpu().upload(values.data(), t.c);
  ref().upload(values.data(), t.r);
  return t;
}

Twin output(const Shape& shape) {
  return twin(shape, std::vector<float>(static_cast<std::size_t>(shape.num_elements()), -777.f));
}

void expect_close(const Tensor& got_t, const Tensor& want_t, double rel, double abs, const std::string& what) {
  const auto got = host(got_t);
  const auto want = host(want_t);
  REQUIRE(got.size() == want.size());
  std::size_t bad = 0, worst = 0;
  double worst_excess = -1.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    const double tol = abs + rel * std::fabs(w);
    const double err = std::fabs(g - w);
    const bool ok = err <= tol || (std::isnan(g) && std::isnan(w)) || (g == w);
    if (!ok) {
      ++bad;
      if (err - tol > worst_excess || std::isnan(err)) {
        worst_excess = err - tol;
        worst = i;
      }
    }
  }
  INFO(what << ": " << bad << " of " << got.size() << " elements out of tolerance (rel " << rel << ", abs " << abs
            << ")"
            << (bad ? "; worst at " + std::to_string(worst) + ": cpu " + std::to_string(got[worst]) + " vs reference " +
                          std::to_string(want[worst])
                    : std::string()));
  CHECK(bad == 0);
}

void expect_bitwise_equal(const Tensor& got, const Tensor& want, const std::string& what) {
  const auto a = host(got);
  const auto b = host(want);
  REQUIRE(a.size() == b.size());
  INFO(what);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

void expect_equal(const Tensor& got, const Tensor& want, const std::string& what) {
  const auto a = host(got);
  const auto b = host(want);
  REQUIRE(a.size() == b.size());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) ++bad;
  INFO(what << ": " << bad << " of " << a.size() << " elements differ");
  CHECK(bad == 0);
}

}  // namespace strata::testing
