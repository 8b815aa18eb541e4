#include "api/tensorboard/histogram_buckets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata::detail {

std::vector<HistogramBucket> histogram_buckets(std::span<const float> values, int bucket_count) {
  const std::size_t k = static_cast<std::size_t>(std::max(bucket_count, 0));
  std::vector<HistogramBucket> buckets(k);
  if (k == 0 || values.empty()) return buckets;
  const auto n = static_cast<double>(values.size());
  // TensorFlow computes in float64 from the float32 weights.
  double min = std::numeric_limits<double>::infinity();
  double max = -min;
  bool finite = true;
  for (const float value : values) {
    if (!std::isfinite(value)) {
      finite = false;
      break;
    }
    min = std::min(min, double(value));
    max = std::max(max, double(value));
  }
  if (!finite) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (auto& bucket : buckets) bucket = {nan, nan, 0};
    buckets.back().count = n;
    return buckets;
  }
  const double range = max - min;
  if (range == 0) {
    for (auto& bucket : buckets) bucket = {max, max, 0};
    buckets.back().count = n;
    return buckets;
  }
  const double width = range / static_cast<double>(k);
  for (const float value : values) {
    const auto index = static_cast<std::size_t>(std::floor((double(value) - min) / width));
    buckets[std::min(index, k - 1)].count += 1;
  }
  for (std::size_t i = 0; i < k; ++i) {
    buckets[i].left = min + static_cast<double>(i) * width;
    buckets[i].right = i + 1 == k ? max : min + static_cast<double>(i + 1) * width;
  }
  return buckets;
}

}  // namespace strata::detail
