// bfloat16 ops, the cpu backend against the reference (which multiplies in double): matmul with
// bf16 operands, every transposition, written in f32 or in bf16; a mixed pair refused on both.
// Tolerances: the operands are exact bf16 values, so every product is exact in f32 and only the
// sum's order and width differ: rel 1e-5, abs 2e-6 sqrt(k) for an f32 result; a bf16 result is
// that f32 sum rounded to 8 bits, one ulp apart at most where the two sums straddle a rounding
// boundary: rel 2^-7, with the f32 sum's abs 2e-6 sqrt(k) where a sum cancels to near zero.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "strata/backend.hpp"
#include "strata/bfloat16.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"
#include "strata/tensor_host.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using namespace strata::testing;

namespace {

// `shape` filled with uniform values in [-2, 2) rounded to bf16, on both backends.
Twin bf16_twin(const Shape& shape, std::uint32_t seed) {
  const Twin f = twin(shape, uniform(shape.num_elements(), -2.f, 2.f, seed));
  Twin out{Tensor(cpu(), shape, DType::BF16), Tensor(ref(), shape, DType::BF16)};
  cpu().cast(f.c, out.c);
  ref().cast(f.r, out.r);
  return out;
}

// A bf16 tensor's values as an f32 tensor on the same backend.
Tensor widened(const Tensor& t) {
  Tensor out(t.backend(), t.shape());
  t.backend().cast(t, out);
  return out;
}

// An f32 tensor's values rounded to bf16, on the same backend.
Tensor narrowed(const Tensor& t) {
  Tensor out(t.backend(), t.shape(), DType::BF16);
  t.backend().cast(t, out);
  return out;
}

struct MatmulCase {
  std::int64_t n, k, m;
  bool transpose_a, transpose_b;
};

}  // namespace

TEST_CASE("parity bf16: matmul of bf16 operands, written in f32 and in bf16", "[backends][parity][dtype]") {
  const std::vector<MatmulCase> cases = {
      {1, 1, 1, false, false},     {7, 13, 5, false, false},   {7, 13, 5, true, false},
      {7, 13, 5, false, true},     {7, 13, 5, true, true},     {32, 784, 128, false, false},
      {784, 32, 128, true, false}, {32, 10, 128, false, true}, {256, 1024, 1024, false, false},
  };
  std::uint32_t seed = 9000;
  for (const MatmulCase& c : cases) {
    for (const DType out : {DType::F32, DType::BF16}) {
      const std::string what = "matmul " + std::to_string(c.n) + "x" + std::to_string(c.k) + "x" + std::to_string(c.m) +
                               (c.transpose_a ? " a^T" : "") + (c.transpose_b ? " b^T" : "") + " into " +
                               std::string(dtype_name(out));
      const Shape sa = c.transpose_a ? Shape{c.k, c.n} : Shape{c.n, c.k};
      const Shape sb = c.transpose_b ? Shape{c.m, c.k} : Shape{c.k, c.m};
      const Twin a = bf16_twin(sa, ++seed), b = bf16_twin(sb, ++seed);
      Twin y{Tensor(cpu(), Shape{c.n, c.m}, out), Tensor(ref(), Shape{c.n, c.m}, out)};
      cpu().matmul(a.c, c.transpose_a, b.c, c.transpose_b, y.c);
      ref().matmul(a.r, c.transpose_a, b.r, c.transpose_b, y.r);
      if (out == DType::F32)
        expect_close(y.c, y.r, 1e-5, 2e-6 * std::sqrt(double(c.k)), what);
      else
        expect_close(widened(y.c), widened(y.r), 1.0 / 128, 2e-6 * std::sqrt(double(c.k)), what);
    }
  }
}

TEST_CASE("parity bf16: a NaN or an infinity in a bf16 operand reaches the product", "[backends][parity][dtype]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    const xt::xarray<float> ha = {{nan, 1.f}, {inf, 1.f}};
    xt::xarray<float> hb = xt::ones<float>({2, 1});
    hb(1, 0) = 2.f;
    const Tensor a = narrowed(from_host(*be, ha));
    const Tensor b = narrowed(from_host(*be, hb));
    Tensor y(*be, Shape{2, 1});
    be->matmul(a, false, b, false, y);
    const auto host = to_host(y);
    CHECK(std::isnan(host(0, 0)));
    CHECK(host(1, 0) == inf);
  }
}

TEST_CASE("parity bf16: a bf16 operand beside an f32 one is refused, naming matmul", "[backends][dtype]") {
  for (Backend* be : {&cpu(), &ref()}) {
    INFO(be->name());
    const Tensor a(*be, Shape{2, 3}, DType::BF16);
    const Tensor b(*be, Shape{3, 4});
    Tensor y(*be, Shape{2, 4});
    CHECK_THROWS_AS(be->matmul(a, false, b, false, y), BackendError);
    CHECK_THROWS_WITH(be->matmul(a, false, b, false, y), Catch::Contains("matmul"));
    // Nor is an int32 result.
    const Tensor b16(*be, Shape{3, 4}, DType::BF16);
    Tensor yi(*be, Shape{2, 4}, DType::I32);
    CHECK_THROWS_AS(be->matmul(a, false, b16, false, yi), BackendError);
  }
}
