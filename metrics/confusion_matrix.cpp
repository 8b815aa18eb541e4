#include "strata/metrics/confusion_matrix.hpp"

#include <cmath>
#include <string>

#include "strata/error.hpp"

namespace strata::metrics {

namespace {

std::string shape_of(const xt::xarray<float>& a) {
  std::string out = "(";
  for (std::size_t i = 0; i < a.dimension(); ++i) out += (i ? ", " : "") + std::to_string(a.shape()[i]);
  return out + (a.dimension() == 1 ? ",)" : ")");
}

// The class at `i` of `what` ("labels" or "predictions"), checked as TF's assertions do.
std::int64_t class_at(const xt::xarray<float>& values, std::size_t i, const char* what, std::int64_t num_classes) {
  const float v = values.data()[i];
  STRATA_CHECK(!std::isnan(v), ValueError, "`", what, "` holds NaN: ", what, "[", i, "] = nan");
  STRATA_CHECK(v >= 0.f, ValueError, "`", what, "` contains negative values: ", what, "[", i, "] = ", v);
  STRATA_CHECK(std::trunc(v) == v, ValueError, "`", what, "` must hold class indices (whole numbers): ", what, "[", i,
               "] = ", v);
  STRATA_CHECK(static_cast<double>(v) < static_cast<double>(num_classes), ValueError, "`", what,
               "` out of bound: ", what, "[", i, "] = ", v, " is not below num_classes = ", num_classes);
  return static_cast<std::int64_t>(v);
}

}  // namespace

xt::xarray<std::int64_t> confusion_matrix(const xt::xarray<float>& labels, const xt::xarray<float>& predictions,
                                          std::int64_t num_classes, const xt::xarray<float>* weights) {
  STRATA_CHECK(num_classes >= 1, ValueError,
               "Argument `num_classes` must be an integer >= 1. Received: num_classes=", num_classes);
  STRATA_CHECK(labels.size() == predictions.size(), ShapeError,
               "`labels` and `predictions` must hold one class per sample each, received labels.shape=",
               shape_of(labels), ", predictions.shape=", shape_of(predictions));
  if (weights)
    STRATA_CHECK(weights->size() == labels.size(), ShapeError,
                 "`weights` must hold one weight per sample, received weights.shape=", shape_of(*weights),
                 ", labels.shape=", shape_of(labels));
  const auto k = static_cast<std::size_t>(num_classes);
  xt::xarray<std::int64_t> out = xt::zeros<std::int64_t>({k, k});
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::int64_t t = class_at(labels, i, "labels", num_classes);
    const std::int64_t p = class_at(predictions, i, "predictions", num_classes);
    std::int64_t w = 1;
    if (weights) {
      const float v = weights->data()[i];
      STRATA_CHECK(std::isfinite(v) && std::trunc(v) == v && std::fabs(v) < 9e18f, ValueError,
                   "`weights` must hold whole numbers (the matrix counts in integers): weights[", i, "] = ", v);
      w = static_cast<std::int64_t>(v);
    }
    out(static_cast<std::size_t>(t), static_cast<std::size_t>(p)) += w;
  }
  return out;
}

}  // namespace strata::metrics
