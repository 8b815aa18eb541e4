#pragma once
// The reference backend: plain loops over host memory and xtensor-blas for matmul. It is the
// oracle the other backends are tested against, so every op is written to be obviously right.

#include <memory>

#include "strata/backend.hpp"

namespace strata::backends {

std::unique_ptr<Backend> make_reference_backend();

}  // namespace strata::backends
