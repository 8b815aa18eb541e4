#include "strata/data/train_test_split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "strata/error.hpp"
#include "strata/random.hpp"

namespace strata::data {
namespace {

using Rng = std::mt19937_64;

// scikit-learn's _approximate_mode: `draws` shared out over classes in proportion to
// `counts`, each rounded down, the rest going one each to the classes with the largest
// remainders (a tie broken at random).
std::vector<std::int64_t> approximate_mode(const std::vector<std::int64_t>& counts, std::int64_t draws, Rng& rng) {
  const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), std::int64_t{0}));
  std::vector<std::int64_t> floored(counts.size());
  std::vector<double> remainder(counts.size());
  std::int64_t need = draws;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double continuous = static_cast<double>(counts[i]) / total * static_cast<double>(draws);
    floored[i] = static_cast<std::int64_t>(std::floor(continuous));
    remainder[i] = continuous - static_cast<double>(floored[i]);
    need -= floored[i];
  }
  std::vector<double> levels = remainder;
  std::sort(levels.begin(), levels.end(), std::greater<>());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  for (double level : levels) {
    if (need <= 0) break;
    std::vector<std::size_t> tied;
    for (std::size_t i = 0; i < remainder.size(); ++i)
      if (remainder[i] == level) tied.push_back(i);
    std::shuffle(tied.begin(), tied.end(), rng);
    const auto take = std::min<std::int64_t>(need, static_cast<std::int64_t>(tied.size()));
    for (std::int64_t k = 0; k < take; ++k) ++floored[tied[static_cast<std::size_t>(k)]];
    need -= take;
  }
  return floored;
}

// Rows `rows` of `a` (along its first axis), in that order.
xt::xarray<float> take_rows(const xt::xarray<float>& a, const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> shape(a.shape().begin(), a.shape().end());
  const std::size_t row_size = shape.size() > 1 ? a.size() / shape[0] : 1;
  shape[0] = rows.size();
  xt::xarray<float> out = xt::xarray<float>::from_shape(shape);
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy_n(a.data() + rows[i] * row_size, row_size, out.data() + i * row_size);
  return out;
}

// Each row's class: the index of its value (1-D y) or of its row (2-D y) among the sorted
// distinct ones, as np.unique(..., return_inverse=True).
std::vector<std::size_t> class_of_rows(const xt::xarray<float>& y, std::size_t& classes) {
  const std::size_t n = y.shape()[0];
  const std::size_t width = y.dimension() > 1 ? y.size() / n : 1;
  std::map<std::vector<float>, std::size_t> index;
  std::vector<std::vector<float>> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i].assign(y.data() + i * width, y.data() + (i + 1) * width);
    for (float v : keys[i])
      STRATA_CHECK(!std::isnan(v), ValueError, "train_test_split: stratify: y holds NaN at row ", i);
    index.emplace(keys[i], 0);
  }
  std::size_t next = 0;
  for (auto& entry : index) entry.second = next++;
  classes = next;
  std::vector<std::size_t> labels(n);
  for (std::size_t i = 0; i < n; ++i) labels[i] = index.at(keys[i]);
  return labels;
}

}  // namespace

Split train_test_split(const xt::xarray<float>& x, const xt::xarray<float>& y, const SplitOptions& options) {
  STRATA_CHECK(x.dimension() >= 1 && y.dimension() >= 1, ValueError,
               "train_test_split: x and y need a first axis of rows (received rank ", x.dimension(), " and ",
               y.dimension(), ")");
  const auto n = static_cast<std::int64_t>(x.shape()[0]);
  STRATA_CHECK(static_cast<std::int64_t>(y.shape()[0]) == n, ValueError,
               "Found input variables with inconsistent numbers of samples: [", n, ", ", y.shape()[0], "]");
  std::int64_t n_test = 0;
  if (const double* fraction = std::get_if<double>(&options.test_size)) {
    STRATA_CHECK(*fraction > 0 && *fraction < 1, ValueError, "test_size=", *fraction,
                 " should be either positive and smaller than the number of samples ", n,
                 " or a float in the (0, 1) range");
    n_test = static_cast<std::int64_t>(std::ceil(*fraction * static_cast<double>(n)));
  } else {
    n_test = std::get<std::int64_t>(options.test_size);
    STRATA_CHECK(n_test > 0 && n_test < n, ValueError, "test_size=", n_test,
                 " should be either positive and smaller than the number of samples ", n,
                 " or a float in the (0, 1) range");
  }
  const std::int64_t n_train = n - n_test;
  STRATA_CHECK(n_train > 0, ValueError, "With n_samples=", n, ", test_size=", n_test,
               ", the resulting train set will be empty. Adjust the test_size parameter.");

  std::vector<std::size_t> train, test;
  if (!options.shuffle) {
    STRATA_CHECK(!options.stratify, ValueError, "Stratified train/test split is not implemented for shuffle=False");
    for (std::int64_t i = 0; i < n; ++i) (i < n_train ? train : test).push_back(static_cast<std::size_t>(i));
  } else {
    Rng rng(options.seed ? *options.seed : detail::global_rng()());
    if (!options.stratify) {
      std::vector<std::size_t> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      test.assign(order.begin(), order.begin() + n_test);
      train.assign(order.begin() + n_test, order.end());
    } else {
      std::size_t classes = 0;
      const std::vector<std::size_t> labels = class_of_rows(y, classes);
      std::vector<std::vector<std::size_t>> members(classes);
      for (std::size_t i = 0; i < labels.size(); ++i) members[labels[i]].push_back(i);
      std::vector<std::int64_t> counts(classes);
      for (std::size_t c = 0; c < classes; ++c) counts[c] = static_cast<std::int64_t>(members[c].size());
      STRATA_CHECK(*std::min_element(counts.begin(), counts.end()) >= 2, ValueError,
                   "The least populated class in y has only 1 member, which is too few. The minimum number of groups "
                   "for any class cannot be less than 2.");
      const auto k = static_cast<std::int64_t>(classes);
      STRATA_CHECK(n_train >= k, ValueError, "The train_size = ", n_train,
                   " should be greater or equal to the number of classes = ", k);
      STRATA_CHECK(n_test >= k, ValueError, "The test_size = ", n_test,
                   " should be greater or equal to the number of classes = ", k);
      const std::vector<std::int64_t> train_counts = approximate_mode(counts, n_train, rng);
      std::vector<std::int64_t> left(classes);
      for (std::size_t c = 0; c < classes; ++c) left[c] = counts[c] - train_counts[c];
      const std::vector<std::int64_t> test_counts = approximate_mode(left, n_test, rng);
      for (std::size_t c = 0; c < classes; ++c) {
        std::vector<std::size_t>& rows = members[c];
        std::shuffle(rows.begin(), rows.end(), rng);
        const auto a = static_cast<std::size_t>(train_counts[c]), b = static_cast<std::size_t>(test_counts[c]);
        train.insert(train.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(a));
        test.insert(test.end(), rows.begin() + static_cast<std::ptrdiff_t>(a),
                    rows.begin() + static_cast<std::ptrdiff_t>(a + b));
      }
      std::shuffle(train.begin(), train.end(), rng);
      std::shuffle(test.begin(), test.end(), rng);
    }
  }
  return {take_rows(x, train), take_rows(x, test), take_rows(y, train), take_rows(y, test)};
}

}  // namespace strata::data
