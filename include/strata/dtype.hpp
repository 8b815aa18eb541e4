#pragma once
/// @file
/// Element types a tensor may hold.

#include <cstddef>
#include <string_view>

namespace strata {

/// f32 holds data, weights and labels (class indices are exact in f32 up to 2^24); bf16 is
/// mixed precision's compute type; i32 holds indices (Embedding's inputs). Every backend can
/// create, transfer and `Backend::cast` tensors of each type; which other ops take a type
/// other than F32 is `Backend::supports`'s answer.
enum class DType { F32, BF16, I32 };

/// Bytes per element: 4 for F32 and I32, 2 for BF16.
std::size_t dtype_size(DType dtype);
/// Keras's name of the type: "float32", "bfloat16", "int32".
std::string_view dtype_name(DType dtype);
/// The type Keras calls `name` (the inverse of dtype_name); ValueError naming `name` and the
/// valid names otherwise.
DType dtype_from_name(std::string_view name);

}  // namespace strata
