// DType's names and sizes, strata::bfloat16's rounding, typed host transfers on both backends,
// and reuse_or_allocate's reallocation when only the dtype changes.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "strata/bfloat16.hpp"
#include "strata/dtype.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"
#include "strata/tensor_host.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using strata::testing::cpu;
using strata::testing::ref;

TEST_CASE("dtype: sizes and Keras names, parsed back", "[dtype]") {
  CHECK(dtype_size(DType::F32) == 4);
  CHECK(dtype_size(DType::BF16) == 2);
  CHECK(dtype_size(DType::I32) == 4);
  for (const DType d : {DType::F32, DType::BF16, DType::I32}) CHECK(dtype_from_name(dtype_name(d)) == d);
  CHECK(dtype_name(DType::BF16) == "bfloat16");
  CHECK(dtype_name(DType::I32) == "int32");
  CHECK_THROWS_MATCHES(
      dtype_from_name("float16"), ValueError,
      Catch::Matchers::Message("Invalid dtype: \"float16\". Valid dtypes are \"float32\", \"bfloat16\", \"int32\"."));
}

TEST_CASE("dtype: bfloat16 rounds to nearest even and keeps infinities and NaN", "[dtype]") {
  const auto bf = [](float f) { return static_cast<float>(bfloat16(f)); };
  CHECK(bf(1.f) == 1.f);
  CHECK(bf(1.00390625f) == 1.f);        // 1 + 2^-8: a tie, down to the even 1.0
  CHECK(bf(1.01171875f) == 1.015625f);  // 1 + 3 2^-8: a tie, up to the even 1 + 2^-6
  CHECK(bf(-1.01171875f) == -1.015625f);
  CHECK(bf(std::nextafter(1.00390625f, 2.f)) == 1.0078125f);  // just above the tie
  CHECK(bf(std::numeric_limits<float>::max()) == std::numeric_limits<float>::infinity());
  CHECK(bf(std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
  CHECK(bf(-std::numeric_limits<float>::infinity()) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(bf(std::numeric_limits<float>::quiet_NaN())));
  // A NaN whose payload lies only in the dropped bits would truncate to infinity.
  CHECK(std::isnan(bf(std::bit_cast<float>(std::uint32_t{0x7f800001}))));
  CHECK(std::signbit(bf(-std::numeric_limits<float>::quiet_NaN())));
  CHECK(bfloat16(1.0078125f).bits() == 0x3f81);
  CHECK(static_cast<float>(bfloat16::from_bits(0x3f81)) == 1.0078125f);
}

TEST_CASE("dtype: tensors of every dtype are sized by dtype_size", "[dtype]") {
  for (Backend* b : {&cpu(), &ref()}) {
    CHECK(Tensor(*b, Shape{3, 5}, DType::BF16).bytes() == 30);
    CHECK(Tensor(*b, Shape{3, 5}, DType::I32).bytes() == 60);
    CHECK(Tensor(*b, Shape{3, 5}, DType::BF16).backend().bytes_in_use() >= 30);
  }
}

TEST_CASE("dtype: typed host round trips of bfloat16 and int32", "[dtype]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    xt::xarray<std::int32_t> ints = {{1, -2, 3}, {std::numeric_limits<std::int32_t>::min(), 0, 2147483647}};
    const Tensor ti = from_host(*b, ints);
    CHECK(ti.dtype() == DType::I32);
    CHECK(ti.shape() == Shape{2, 3});
    CHECK(bool(to_host_as<std::int32_t>(ti) == ints));

    xt::xarray<bfloat16> halves = xt::xarray<bfloat16>::from_shape({5});
    const std::uint16_t bits[] = {0x3f80, 0xbf81, 0x7f80, 0x0001, 0x7fc0};
    for (std::size_t i = 0; i < 5; ++i) halves(i) = bfloat16::from_bits(bits[i]);
    const Tensor tb = from_host(*b, halves);
    CHECK(tb.dtype() == DType::BF16);
    CHECK(tb.bytes() == 10);
    const xt::xarray<bfloat16> back = to_host_as<bfloat16>(tb);
    REQUIRE(back.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(back(i).bits() == bits[i]);

    const xt::xarray<float> floats = {1.5f, -2.f};
    CHECK(bool(to_host(from_host(*b, floats)) == floats));
  }
}

TEST_CASE("dtype: to_host of another dtype than asked is a ValueError naming both", "[dtype]") {
  using Catch::Matchers::Contains;
  const Tensor tb = from_host(cpu(), xt::xarray<bfloat16>::from_shape({2}));
  CHECK_THROWS_AS(to_host(tb), ValueError);
  CHECK_THROWS_WITH(to_host(tb), Contains("tensor of dtype bfloat16") && Contains("array of float32"));
  const Tensor ti = from_host(ref(), xt::xarray<std::int32_t>{1, 2});
  CHECK_THROWS_AS(to_host_as<bfloat16>(ti), ValueError);
  CHECK_THROWS_WITH(to_host_as<bfloat16>(ti), Contains("tensor of dtype int32") && Contains("array of bfloat16"));
}

TEST_CASE("dtype: reuse_or_allocate reallocates when only the dtype changes", "[dtype]") {
  Tensor t;
  reuse_or_allocate(t, cpu(), Shape{4, 4});
  CHECK(t.dtype() == DType::F32);
  const void* f32_memory = t.raw();
  reuse_or_allocate(t, cpu(), Shape{4, 4});
  CHECK(t.raw() == f32_memory);  // same shape and dtype: kept
  const Tensor keep = t;         // holds the f32 block, so a new one cannot reuse its address
  reuse_or_allocate(t, cpu(), Shape{4, 4}, DType::BF16);
  CHECK(t.dtype() == DType::BF16);
  CHECK(t.bytes() == 32);
  CHECK(t.raw() != f32_memory);
  const void* bf16_memory = t.raw();
  reuse_or_allocate(t, cpu(), Shape{4, 4}, DType::BF16);
  CHECK(t.raw() == bf16_memory);
  reuse_or_allocate(t, cpu(), Shape{4, 4}, DType::I32);
  CHECK(t.dtype() == DType::I32);
}
