#pragma once
// The one check between a kernel and memory of another element type: ops that read a tensor as
// float32 go through a helper (cpu::f32, reference::values_of) that compares the tensor's dtype
// and, on a mismatch, raises BackendError naming the op, so that a bf16 or int32 tensor reaching
// an op not ported to it fails loudly in every build instead of being misread. Beside it, the
// table of what the host backends' ops do take, which Backend::supports answers from.

#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <string_view>

#include "strata/tensor.hpp"

namespace strata::backends {

/// Whether the host backends' (reference, cpu) op `op` takes tensors of `dtype`: every op float32,
/// cast every dtype, int32 indices for the embedding ops, and bfloat16 activations for the ops
/// Keras's mixed_bfloat16 policy runs in bfloat16 (matmul, dense, activations, convolutions,
/// pooling, dropout, multiply, sum_rows). Both
/// answer Backend::supports from this one table, since each op takes the same dtypes on both.
bool host_supports(std::string_view op, DType dtype);

/// The int32 elements of an index tensor; BackendError naming the calling op for another dtype.
const std::int32_t* indices_of(std::string_view backend, const Tensor& t,
                               const std::source_location& where = std::source_location::current());

/// ValueError, in TensorFlow's words, for the first of `indices` (of `shape`) outside
/// [0, limit): "indices[0,3] = 12 is not in [0, 10)". The host backends' embedding_forward
/// checks every index through it before reading a row.
void check_indices(const std::int32_t* indices, const Shape& shape, std::int64_t limit);

/// Raises BackendError: `backend`'s op, the function `where` names, takes `wanted` tensors and
/// was handed `t`, of another dtype.
[[noreturn]] void refuse_dtype(std::string_view backend, const Tensor& t, DType wanted,
                               const std::source_location& where);

/// One tensor of an op's bfloat16 form and the dtype that form gives it. A null or undefined
/// tensor is an absent optional one (a bias, activation_backward's x or y) and is not checked.
struct DTypeRole {
  const Tensor* tensor;
  DType bf16_form;
};

/// Whether a call of an op ported to bfloat16 takes its bfloat16 form: true when the first
/// tensor (the one that carries the activations) is BF16 and every other one has its dtype in
/// that form (f32 variables, biases and their gradients stay F32); false when the first is not
/// BF16, leaving the float32 form's accessors to check each tensor. A BF16 first tensor beside
/// any other mix raises BackendError naming the op and both dtypes.
bool takes_bf16(std::string_view backend, std::initializer_list<DTypeRole> roles,
                const std::source_location& where = std::source_location::current());

}  // namespace strata::backends
