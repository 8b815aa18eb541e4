#pragma once
// The one check between a kernel and memory of another element type: ops that read a tensor as
// float32 go through a helper (cpu::f32, reference::values_of) that compares the tensor's dtype
// and, on a mismatch, raises BackendError naming the op, so that a bf16 or int32 tensor reaching
// an op not ported to it fails loudly in every build instead of being misread.

#include <source_location>
#include <string_view>

#include "strata/tensor.hpp"

namespace strata::backends {

/// Raises BackendError: `backend`'s op, the function `where` names, takes `wanted` tensors and
/// was handed `t`, of another dtype.
[[noreturn]] void refuse_dtype(std::string_view backend, const Tensor& t, DType wanted,
                               const std::source_location& where);

}  // namespace strata::backends
