#pragma once
/// @file
/// Moving data between host xt::xarrays and backend tensors: the only two places a copy
/// crosses the host/device edge.

#include <xtensor/xarray.hpp>

#include "strata/backend.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// A new tensor on `backend` holding a copy of `host` (row-major).
Tensor from_host(Backend& backend, const xt::xarray<float>& host);
/// A host copy of `tensor` with its shape.
xt::xarray<float> to_host(const Tensor& tensor);

}  // namespace strata
