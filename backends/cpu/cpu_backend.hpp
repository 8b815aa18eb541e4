#pragma once
// The cpu backend: oneDNN primitives, created once per shape and cached, plus OpenMP loops for
// the fused losses, metrics and optimizer updates that oneDNN does not provide.

#include <memory>

#include "strata/backend.hpp"

namespace strata::backends {

std::unique_ptr<Backend> make_cpu_backend();

}  // namespace strata::backends
