#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "strata/data/train_test_split.hpp"
#include "strata/error.hpp"

using namespace strata;
using namespace strata::data;

namespace {

// x row i holds (i, 10 i), so a row's origin is visible after the split.
xt::xarray<float> rows_x(std::size_t n) {
  xt::xarray<float> x = xt::xarray<float>::from_shape({n, std::size_t{2}});
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = static_cast<float>(i);
    x(i, 1) = static_cast<float>(10 * i);
  }
  return x;
}

std::map<float, int> counts(const xt::xarray<float>& y) {
  std::map<float, int> c;
  for (float v : y) ++c[v];
  return c;
}

// The rows are a partition of 0..n-1 and x and y stay paired.
void require_partition(const Split& s, std::size_t n, const xt::xarray<float>& y) {
  std::set<float> seen;
  for (const xt::xarray<float>* part : {&s.x_train, &s.x_test}) {
    const xt::xarray<float>& labels = part == &s.x_train ? s.y_train : s.y_test;
    for (std::size_t i = 0; i < part->shape()[0]; ++i) {
      const float row = (*part)(i, 0);
      REQUIRE((*part)(i, 1) == 10 * row);
      REQUIRE(labels(i) == y(static_cast<std::size_t>(row)));
      REQUIRE(seen.insert(row).second);
    }
  }
  REQUIRE(seen.size() == n);
}

}  // namespace

TEST_CASE("train_test_split sizes follow scikit-learn", "[data][split]") {
  const xt::xarray<float> x = rows_x(10);
  const xt::xarray<float> y = xt::arange<float>(10);
  Split s = train_test_split(x, y);  // 0.25: ceil(2.5) = 3 test rows
  REQUIRE(s.x_test.shape()[0] == 3);
  REQUIRE(s.x_train.shape()[0] == 7);
  require_partition(s, 10, y);
  s = train_test_split(x, y, {.test_size = std::int64_t{4}});
  REQUIRE(s.y_test.shape()[0] == 4);
  s = train_test_split(x, y, {.test_size = 0.33});  // ceil(3.3) = 4
  REQUIRE(s.y_test.shape()[0] == 4);
  // No shuffle: the last rows test.
  s = train_test_split(x, y, {.test_size = 0.2, .shuffle = false});
  REQUIRE((s.y_test == xt::xarray<float>({8.f, 9.f})));
  REQUIRE(s.x_train(6, 0) == 6.f);
}

TEST_CASE("train_test_split repeats with a seed and differs without", "[data][split]") {
  const xt::xarray<float> x = rows_x(50);
  const xt::xarray<float> y = xt::arange<float>(50);
  const Split a = train_test_split(x, y, {.seed = 7});
  const Split b = train_test_split(x, y, {.seed = 7});
  const Split c = train_test_split(x, y, {.seed = 8});
  REQUIRE((a.y_test == b.y_test));
  REQUIRE((a.y_test != c.y_test));
  require_partition(c, 50, y);
}

TEST_CASE("train_test_split with stratify keeps each class's share in both parts", "[data][split]") {
  // 60 of class 0, 30 of class 2, 10 of class 5: with test_size 0.2, 12 / 6 / 2 test rows.
  xt::xarray<float> y = xt::zeros<float>({100});
  for (std::size_t i = 0; i < 100; ++i) y(i) = i % 10 == 0 ? 5.f : i % 10 < 4 ? 2.f : 0.f;
  const xt::xarray<float> x = rows_x(100);
  for (std::uint64_t seed : {1, 2, 3}) {
    const Split s = train_test_split(x, y, {.test_size = 0.2, .seed = seed, .stratify = true});
    require_partition(s, 100, y);
    REQUIRE(counts(s.y_test) == std::map<float, int>{{0.f, 12}, {2.f, 6}, {5.f, 2}});
    REQUIRE(counts(s.y_train) == std::map<float, int>{{0.f, 48}, {2.f, 24}, {5.f, 8}});
  }
  // Shares that do not divide evenly: 7 / 5 / 3 rows, 5 test rows. Training gets 10 rows:
  // 4.67 / 3.33 / 2 -> 4 / 3 / 2 plus one for the largest remainder (class 0): 5 / 3 / 2;
  // test takes 5 of the 2 / 2 / 1 left: all of them.
  xt::xarray<float> uneven = xt::xarray<float>({0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2});
  const Split u = train_test_split(rows_x(15), uneven, {.test_size = std::int64_t{5}, .seed = 4, .stratify = true});
  REQUIRE(counts(u.y_train) == std::map<float, int>{{0.f, 5}, {1.f, 3}, {2.f, 2}});
  REQUIRE(counts(u.y_test) == std::map<float, int>{{0.f, 2}, {1.f, 2}, {2.f, 1}});
  // One-hot rows are classes too.
  xt::xarray<float> onehot = xt::zeros<float>({20, 2});
  for (std::size_t i = 0; i < 20; ++i) onehot(i, i < 15 ? 0 : 1) = 1.f;
  const Split h = train_test_split(rows_x(20), onehot, {.test_size = 0.2, .seed = 1, .stratify = true});
  REQUIRE(xt::sum(xt::view(h.y_test, xt::all(), 1))() == 1.f);
  REQUIRE(h.y_test.shape()[0] == 4);
}

TEST_CASE("train_test_split refuses what scikit-learn refuses", "[data][split]") {
  const xt::xarray<float> x = rows_x(10);
  const xt::xarray<float> y = xt::arange<float>(10);
  REQUIRE_THROWS_WITH(train_test_split(x, xt::arange<float>(9)),
                      "Found input variables with inconsistent numbers of samples: [10, 9]");
  REQUIRE_THROWS_AS(train_test_split(x, y, {.test_size = 1.0}), ValueError);
  REQUIRE_THROWS_AS(train_test_split(x, y, {.test_size = 0.0}), ValueError);
  REQUIRE_THROWS_AS(train_test_split(x, y, {.test_size = std::int64_t{10}}), ValueError);
  REQUIRE_THROWS_WITH(train_test_split(x, y, {.test_size = 0.96}),
                      "With n_samples=10, test_size=10, the resulting train set will be empty. Adjust the test_size "
                      "parameter.");
  REQUIRE_THROWS_WITH(train_test_split(x, y, {.shuffle = false, .stratify = true}),
                      "Stratified train/test split is not implemented for shuffle=False");
  REQUIRE_THROWS_WITH(train_test_split(x, y, {.stratify = true}),
                      Catch::Contains("The least populated class in y has only 1 member"));
  const xt::xarray<float> three = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  REQUIRE_THROWS_WITH(train_test_split(x, three, {.test_size = 0.2, .stratify = true}),
                      "The test_size = 2 should be greater or equal to the number of classes = 3");
  REQUIRE_THROWS_WITH(train_test_split(x, xt::xarray<float>({0, 1, NAN, 0, 1, 0, 1, 0, 1, 0}), {.stratify = true}),
                      Catch::Contains("y holds NaN at row 2"));
}
