#include <catch2/catch.hpp>

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
