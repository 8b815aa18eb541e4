#pragma once
/// @file
/// train_test_split: rows of x and y split into a training part and a test part, as
/// scikit-learn's `train_test_split(x, y, test_size=..., random_state=..., shuffle=...,
/// stratify=y)`.
///
///     auto split = strata::data::train_test_split(x, y, {.test_size = 0.2, .seed = 42, .stratify = true});
///     model.fit(split.x_train, split.y_train);
///
/// Sizes follow scikit-learn: a fractional test_size gives ceil(test_size * n) test rows, an
/// integer one that many; the rest train. Without shuffle the first rows train and the last
/// ones test. With stratify, each class of y (a value of a 1-D y, or a row of a 2-D y such as
/// one-hot labels) is shared out as scikit-learn's StratifiedShuffleSplit does: each class gets
/// its proportional share of the training rows rounded down, the rows left over go to the
/// classes with the largest remainders (ties broken at random), likewise for the test rows from
/// what each class has left, so the proportions match to within one row per class. The rows
/// chosen differ from scikit-learn's for the same seed (another random generator).
///
/// Errors (ValueError, with scikit-learn's wording): x and y with different numbers of rows, a
/// test_size outside (0, 1) as a fraction or outside [1, n - 1] as a count, stratify without
/// shuffle, a class with a single row, fewer test or training rows than classes.

#include <cstdint>
#include <optional>
#include <variant>

#include <xtensor/xarray.hpp>

namespace strata::data {

/// The arguments of train_test_split, with scikit-learn's defaults.
struct SplitOptions {
  /// The test part: a fraction of the rows (a double in (0, 1)) or a number of rows (an integer).
  std::variant<double, std::int64_t> test_size = 0.25;
  /// Whether rows are drawn at random (else the last rows are the test part).
  bool shuffle = true;
  /// Seeds the draw, so a split repeats; none: Strata's global generator (see set_random_seed).
  std::optional<std::uint64_t> seed = std::nullopt;
  /// Keep y's class proportions in both parts (scikit-learn's `stratify=y`).
  bool stratify = false;
};

/// The two parts of x and y, rows in the order they were drawn.
struct Split {
  /// The training rows of x.
  xt::xarray<float> x_train;
  /// The test rows of x.
  xt::xarray<float> x_test;
  /// The training rows of y.
  xt::xarray<float> y_train;
  /// The test rows of y.
  xt::xarray<float> y_test;
};

/// Splits the rows (first axis) of x and y alike (see the file's documentation).
Split train_test_split(const xt::xarray<float>& x, const xt::xarray<float>& y, const SplitOptions& options = {});

}  // namespace strata::data
