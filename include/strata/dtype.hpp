#pragma once
/// @file
/// Element types a tensor may hold.

#include <cstddef>
#include <string_view>

namespace strata {

/// f32 holds data, weights and labels (class indices are exact in f32 up to 2^24). i32 joins
/// with the layers that take indices (Embedding), bf16 with mixed precision.
enum class DType { F32 };

/// Bytes per element: 4 for F32.
std::size_t dtype_size(DType dtype);
/// Keras's name of the type: "float32".
std::string_view dtype_name(DType dtype);  // "float32" as Keras names it

}  // namespace strata
