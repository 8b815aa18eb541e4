#pragma once
// The buckets of a weight histogram, computed as TensorFlow's tf.summary.histogram computes
// them (TensorBoard's plugins/histogram/summary_v2.py, the TPU-compatible version Keras's
// TensorBoard callback calls), so Strata's histograms look like Keras's.

#include <span>
#include <vector>

namespace strata::detail {

/// One bucket as TensorBoard's histogram plugin stores it: a row of its (k, 3) float64 tensor.
struct HistogramBucket {
  double left = 0;   ///< the bucket's left edge
  double right = 0;  ///< its right edge
  double count = 0;  ///< how many values fell in it
};

/// TensorFlow's bucketing of `values` into `bucket_count` buckets (Keras uses the default, 30):
/// - no values: `bucket_count` buckets of zeros; a bucket count of 0 or less: no buckets;
/// - all values equal to v: every edge is v and the last bucket holds every value;
/// - otherwise the edges split [min, max] evenly (edge i = min + i (max - min) / k, the last
///   edge exactly max) and value x goes to bucket floor((x - min) / ((max - min) / k)), the
///   maximum into the last bucket.
/// TensorFlow has no rule for NaN or infinite values (its floor-and-cast of NaN is undefined);
/// Strata writes every edge as NaN and every value into the last bucket, so TensorBoard shows a
/// histogram of NaN instead of a plausible shape drawn from the finite values.
std::vector<HistogramBucket> histogram_buckets(std::span<const float> values, int bucket_count = 30);

}  // namespace strata::detail
