#include <catch2/catch.hpp>

#include <limits>

#include "strata/error.hpp"
#include "strata/shape.hpp"

using namespace strata;

TEST_CASE("Shape prints and slices as Keras shapes", "[core][shape]") {
  const Shape s{kNone, 28, 28};
  CHECK(s.to_string() == "(None, 28, 28)");
  CHECK(Shape{5}.to_string() == "(5,)");
  CHECK(s[-1] == 28);
  CHECK(s.without_batch() == Shape{28, 28});
  CHECK(s.without_last_axis() == Shape{kNone, 28});
  CHECK(s.with_batch(32).num_elements() == 32 * 784);
  CHECK(s.sample_size() == 784);
  CHECK_FALSE(s.fully_known());
  CHECK_THROWS_AS(s.num_elements(), ShapeError);
  CHECK_THROWS_AS(s[3], ValueError);
}

TEST_CASE("Shape sizes that overflow 64 bits raise ResourceExhaustedError", "[core][shape][errors]") {
  constexpr std::int64_t k2to40 = std::int64_t(1) << 40;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  CHECK_THROWS_MATCHES(Shape({k2to40, k2to40}).num_elements(), ResourceExhaustedError,
                       Catch::Message("a tensor of shape (1099511627776, 1099511627776) has more elements than fit "
                                      "in 64 bits"));
  // An unknown axis is reported as such even when the known ones would overflow.
  CHECK_THROWS_AS(Shape({k2to40, k2to40, kNone}).num_elements(), ShapeError);
  CHECK(Shape({kMax}).num_elements() == kMax);
  CHECK(checked_multiply(k2to40, 1 << 20, "x") == std::int64_t(1) << 60);
  CHECK(checked_add(kMax - 1, 1, "x") == kMax);
  CHECK_THROWS_MATCHES(checked_multiply(k2to40, k2to40, "the output height"), ResourceExhaustedError,
                       Catch::Message("the output height overflows 64 bits (1099511627776 * 1099511627776)"));
  CHECK_THROWS_MATCHES(checked_add(kMax, 1, "the concatenated axis"), ResourceExhaustedError,
                       Catch::Message("the concatenated axis overflows 64 bits (9223372036854775807 + 1)"));
  CHECK_THROWS_AS(checked_add(-kMax, -2, "x"), ResourceExhaustedError);
}
