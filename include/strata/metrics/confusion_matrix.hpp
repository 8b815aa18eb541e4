#pragma once
/// @file
/// strata::metrics::confusion_matrix: the confusion matrix of class labels against predicted
/// classes on host arrays, as tf.math.confusion_matrix.

#include <cstdint>

#include <xtensor/xarray.hpp>

namespace strata::metrics {

/// The (num_classes, num_classes) matrix whose [i][j] counts the samples of true class i
/// predicted as class j, each adding its weight (1 without weights). labels and predictions hold
/// class indices (Strata's f32 labels), one per sample: 1-D, or any shape with as many elements
/// (a trailing axis of 1 included); weights, when given, one integer per sample, as the int32
/// counts tf.math.confusion_matrix makes. Throws ValueError naming the index of a label or
/// prediction that is negative, not below num_classes, not an integer or NaN, and of a weight
/// that is not an integer; ShapeError when the sizes differ.
///
/// ```
/// auto cm = strata::metrics::confusion_matrix({0.f, 1.f, 2.f, 2.f}, {0.f, 2.f, 2.f, 1.f}, 3);
/// // cm = {{1, 0, 0}, {0, 0, 1}, {0, 1, 1}}
/// ```
xt::xarray<std::int64_t> confusion_matrix(const xt::xarray<float>& labels, const xt::xarray<float>& predictions,
                                          std::int64_t num_classes, const xt::xarray<float>* weights = nullptr);

}  // namespace strata::metrics
