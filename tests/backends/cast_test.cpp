// Backend::cast on both backends: exact values of every conversion (rounding, truncation, the
// defined answer for NaN and out-of-range), cpu against reference bit for bit on random values
// with specials past the cpu's fork threshold; supports(); and the loud refusal of a bf16 tensor
// by ops that compute in f32 only.

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "strata/backend.hpp"
#include "strata/bfloat16.hpp"
#include "strata/error.hpp"
#include "strata/tensor.hpp"
#include "strata/tensor_host.hpp"
#include "support/backend_checks.hpp"

using namespace strata;
using strata::testing::cpu;
using strata::testing::ref;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();

// x cast to `to` on `b`, then back to the host as T.
template <class T, class From>
xt::xarray<T> cast_on(Backend& b, const xt::xarray<From>& x) {
  const Tensor tx = from_host(b, x);
  Tensor ty(b, tx.shape(), host_dtype<T>);
  b.cast(tx, ty);
  return to_host_as<T>(ty);
}

std::vector<float> bf16_values(const xt::xarray<bfloat16>& a) {
  std::vector<float> out;
  for (const bfloat16 v : a) out.push_back(static_cast<float>(v));
  return out;
}

}  // namespace

TEST_CASE("cast: f32 -> bf16 rounds to nearest even, keeps inf and NaN", "[dtype][cast]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    const xt::xarray<float> x = {
        1.00390625f, 1.01171875f, -1.01171875f, 1.0078125f, 3.f, 1e-45f, std::numeric_limits<float>::max(),
        kInf,        -kInf,       kNaN};
    const auto y = bf16_values(cast_on<bfloat16>(*b, x));
    CHECK(y[0] == 1.f);
    CHECK(y[1] == 1.015625f);
    CHECK(y[2] == -1.015625f);
    CHECK(y[3] == 1.0078125f);
    CHECK(y[4] == 3.f);
    CHECK(y[5] == 0.f);
    CHECK(y[6] == kInf);
    CHECK(y[7] == kInf);
    CHECK(y[8] == -kInf);
    CHECK(std::isnan(y[9]));
  }
}

TEST_CASE("cast: bf16 -> f32 is exact", "[dtype][cast]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    xt::xarray<bfloat16> x = xt::xarray<bfloat16>::from_shape({4});
    const std::uint16_t bits[] = {0x3f81, 0xc2f7, 0x0001, 0xff80};
    for (std::size_t i = 0; i < 4; ++i) x(i) = bfloat16::from_bits(bits[i]);
    const xt::xarray<float> y = cast_on<float>(*b, x);
    for (std::size_t i = 0; i < 4; ++i)
      CHECK(std::bit_cast<std::uint32_t>(y(i)) == static_cast<std::uint32_t>(bits[i]) << 16);
  }
}

TEST_CASE("cast: f32 -> i32 truncates toward zero; NaN and out of range give INT32_MIN", "[dtype][cast]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    const xt::xarray<float> x = {2.7f,         -2.7f, 0.5f,  -0.f, 2147483520.f, -2147483648.f,
                                 2147483648.f, 3e9f,  -3e9f, kInf, -kInf,        kNaN};
    const xt::xarray<std::int32_t> want = {2, -2, 0, 0, 2147483520, kMin, kMin, kMin, kMin, kMin, kMin, kMin};
    CHECK(bool(cast_on<std::int32_t>(*b, x) == want));
  }
}

TEST_CASE("cast: i32 -> f32 and bf16 round to nearest even", "[dtype][cast]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    const xt::xarray<std::int32_t> x = {16777217, 16777219, -16777217, kMax, kMin, 257, 259, -7};
    const xt::xarray<float> want = {16777216.f,    16777220.f, -16777216.f, 2147483648.f,
                                    -2147483648.f, 257.f,      259.f,       -7.f};
    CHECK(bool(cast_on<float>(*b, x) == want));
    const auto y = bf16_values(cast_on<bfloat16>(*b, x));
    CHECK(y[5] == 256.f);  // 257 = 1.00390625 * 256: a tie, to even
    CHECK(y[6] == 260.f);  // 259 = 1.01171875 * 256
    CHECK(y[7] == -7.f);
  }
}

TEST_CASE("cast: bf16 -> i32 truncates, and a cast to the same dtype copies", "[dtype][cast]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    xt::xarray<bfloat16> x = xt::xarray<bfloat16>::from_shape({4});
    for (std::size_t i = 0; i < 4; ++i) x(i) = bfloat16(std::array{2.75f, -1.5f, kNaN, 3e9f}[i]);
    const xt::xarray<std::int32_t> want = {2, -1, kMin, kMin};
    CHECK(bool(cast_on<std::int32_t>(*b, x) == want));
    const xt::xarray<std::int32_t> ints = {5, -6, kMin};
    CHECK(bool(cast_on<std::int32_t>(*b, ints) == ints));
  }
}

TEST_CASE("cast: cpu matches reference bit for bit in every direction", "[dtype][cast][parity]") {
  // Past kSerialCheap, so the cpu backend's threaded path runs; values spread over many binades
  // and the int32 range's edges, with NaN and infinities among them.
  const std::int64_t n = 100003;
  std::vector<float> values = testing::with_specials(testing::uniform(n, -1.f, 1.f, 7), 11);
  for (std::int64_t i = 0; i < n; ++i)
    values[static_cast<std::size_t>(i)] *= std::ldexp(1.f, static_cast<int>(i % 70) - 20);
  const Tensor fc = from_host(cpu(), xt::adapt(values, std::vector<std::size_t>{static_cast<std::size_t>(n)}));
  const Tensor fr = from_host(ref(), xt::adapt(values, std::vector<std::size_t>{static_cast<std::size_t>(n)}));
  const DType all[] = {DType::F32, DType::BF16, DType::I32};
  for (const DType from : all) {
    // Each source dtype made from the same floats on both backends (by the reference's cast).
    Tensor xr(ref(), Shape{n}, from), xc(cpu(), Shape{n}, from);
    ref().cast(fr, xr);
    std::vector<char> bytes(xr.bytes());
    ref().download(xr, bytes.data());
    cpu().upload(bytes.data(), xc);
    for (const DType to : all) {
      INFO(dtype_name(from) << " -> " << dtype_name(to));
      Tensor yc(cpu(), Shape{n}, to), yr(ref(), Shape{n}, to);
      cpu().cast(xc, yc);
      ref().cast(xr, yr);
      std::vector<char> got(yc.bytes()), want(yr.bytes());
      cpu().download(yc, got.data());
      ref().download(yr, want.data());
      REQUIRE(got.size() == want.size());
      std::size_t differ = 0;
      for (std::size_t i = 0; i < got.size(); ++i) differ += got[i] != want[i];
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("cast: supports() says cast takes every dtype, the ported ops bf16 too, the others f32 only",
          "[dtype][cast]") {
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    for (const DType d : {DType::F32, DType::BF16, DType::I32}) CHECK(b->supports("cast", d));
    CHECK(b->supports("matmul", DType::F32));
    CHECK(b->supports("matmul", DType::BF16));
    CHECK_FALSE(b->supports("matmul", DType::I32));
    CHECK(b->supports("dense_forward", DType::BF16));
    CHECK_FALSE(b->supports("add", DType::BF16));
    CHECK_FALSE(b->supports("batch_norm_forward_training", DType::BF16));
    CHECK_FALSE(b->supports("activation_forward", DType::I32));
  }
}

TEST_CASE("cast: an f32-only op refuses a bf16 tensor, naming the op", "[dtype][cast]") {
  using Catch::Matchers::Contains;
  for (Backend* b : {&cpu(), &ref()}) {
    INFO(b->name());
    REQUIRE_FALSE(b->supports("add", DType::BF16));
    const Tensor xb(*b, Shape{2, 3}, DType::BF16);
    const Tensor xf(*b, Shape{2, 3});
    const Tensor wf(*b, Shape{3, 4});
    Tensor yf(*b, Shape{2, 3});
    Tensor cf(*b, Shape{2, 4});
    Tensor ybf(*b, Shape{2, 3}, DType::BF16);
    b->fill(yf, 0.f);
    const auto refuses = [&](const std::function<void()>& op, const std::string& name, const std::string& dtype) {
      INFO(name);
      CHECK_THROWS_AS(op(), BackendError);
      CHECK_THROWS_WITH(op(),
                        Contains("backend's " + name + " takes float32") && Contains("given one of dtype " + dtype));
    };
    refuses([&] { b->activation_forward({ActivationKind::Relu}, xb, yf); }, "activation_forward", "bfloat16");
    refuses([&] { b->activation_forward({ActivationKind::Sigmoid}, xf, ybf); }, "activation_forward", "bfloat16");
    refuses([&] { b->matmul(xb, false, wf, false, cf); }, "matmul", "bfloat16");
    refuses([&] { b->dense_forward(xb, wf, nullptr, {}, cf); }, "dense_forward", "bfloat16");
    refuses([&] { b->add(xb, xb, ybf); }, "add", "bfloat16");
    // Average pooling runs on a oneDNN primitive on the cpu backend: refused before it is made.
    Pool2DParams average;
    average.kind = PoolKind::Average;
    const Tensor imageb(*b, Shape{1, 4, 4, 2}, DType::BF16);
    Tensor pooled(*b, Shape{1, 2, 2, 2});
    refuses([&] { b->pool2d_forward(imageb, average, pooled, nullptr); }, "pool2d_forward", "bfloat16");
    CHECK_THROWS_WITH(b->matmul(xb, false, wf, false, cf), Contains("and shape (2, 3)"));
    const Tensor xi(*b, Shape{2, 3}, DType::I32);
    CHECK_THROWS_AS(b->add(xi, xf, yf), BackendError);
    CHECK_THROWS_WITH(b->add(xi, xf, yf), Contains("of dtype int32"));
  }
}
