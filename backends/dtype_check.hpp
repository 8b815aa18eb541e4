#pragma once
// The one check between a kernel and memory of another element type: ops that read a tensor as
// float32 go through a helper (cpu::f32, reference::values_of) that compares the tensor's dtype
// and, on a mismatch, raises BackendError naming the op, so that a bf16 or int32 tensor reaching
// an op not ported to it fails loudly in every build instead of being misread. Beside it, the
// table of what the host backends' ops do take, which Backend::supports answers from.

#include <source_location>
#include <string_view>

#include "strata/tensor.hpp"

namespace strata::backends {

/// Raises BackendError: `backend`'s op, the function `where` names, takes `wanted` tensors and
/// was handed `t`, of another dtype.
/// Whether the host backends' (reference, cpu) op `op` takes tensors of `dtype`: every op float32,
/// cast every dtype, matmul a pair of bfloat16 operands too. Both answer Backend::supports from
/// this one table, since each op takes the same dtypes on both.
bool host_supports(std::string_view op, DType dtype);

[[noreturn]] void refuse_dtype(std::string_view backend, const Tensor& t, DType wanted,
                               const std::source_location& where);

}  // namespace strata::backends
