#pragma once
// The element conversions of Backend::cast, shared by every host backend so that they agree bit
// for bit: the f32 <-> bf16 rounding is strata::bfloat16's, and the f32 -> i32 rule below.

#include <cstdint>
#include <limits>
#include <type_traits>

#include "strata/bfloat16.hpp"
#include "strata/dtype.hpp"

namespace strata::detail {

/// Truncation toward zero; NaN, infinities and values outside [-2^31, 2^31) give INT32_MIN,
/// which is what x86's cvttps2dq (and so NumPy there) returns for them. Written as a range test
/// rather than a bare static_cast, for which such values are undefined behaviour in C++.
inline std::int32_t f32_to_i32(float x) {
  constexpr float kLimit = 2147483648.f;  // 2^31, exact in float
  if (!(x >= -kLimit && x < kLimit)) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(x);
}

/// Round to nearest, ties to even (the default rounding mode's conversion).
inline float i32_to_f32(std::int32_t x) { return static_cast<float>(x); }

/// One element converted between the types Backend::cast takes (the same type copies).
template <class To, class From>
To cast_element(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (std::is_same_v<From, bfloat16>) {
    return cast_element<To>(static_cast<float>(x));
  } else if constexpr (std::is_same_v<From, std::int32_t>) {
    return cast_element<To>(i32_to_f32(x));
  } else if constexpr (std::is_same_v<To, bfloat16>) {
    return bfloat16(x);
  } else {
    return f32_to_i32(x);
  }
}

/// Calls f(T{}) with T the host element type of `dtype`: float, bfloat16 or std::int32_t.
template <class F>
void with_element_type(DType dtype, F&& f) {
  switch (dtype) {
    case DType::F32: f(float{}); return;
    case DType::BF16: f(bfloat16{}); return;
    case DType::I32: f(std::int32_t{}); return;
  }
}

}  // namespace strata::detail
