#pragma once
/// @file
/// Moving data between host xt::xarrays and backend tensors: the only two places a copy
/// crosses the host/device edge.
///
/// The host array's element type is the tensor's dtype: float for F32, strata::bfloat16 for
/// BF16, std::int32_t for I32. `from_host` is overloaded on it; `to_host` reads F32 tensors
/// (the common case keeps its short name) and `to_host_as<T>` any dtype. Neither converts:
/// a tensor of another dtype than the one asked for is a ValueError naming both, and
/// `Backend::cast` is the conversion.

#include <cstdint>
#include <type_traits>

#include <xtensor/xarray.hpp>

#include "strata/backend.hpp"
#include "strata/bfloat16.hpp"
#include "strata/tensor.hpp"

namespace strata {

/// The dtype of a tensor whose host elements are of type T (only the three below have one).
template <class T>
inline constexpr DType host_dtype = [] {
  static_assert(sizeof(T) == 0, "a tensor's host elements are float, strata::bfloat16 or std::int32_t");
  return DType::F32;
}();
/// F32 tensors' host elements are float.
template <>
inline constexpr DType host_dtype<float> = DType::F32;
/// BF16 tensors' host elements are strata::bfloat16.
template <>
inline constexpr DType host_dtype<bfloat16> = DType::BF16;
/// I32 tensors' host elements are std::int32_t.
template <>
inline constexpr DType host_dtype<std::int32_t> = DType::I32;

/// A new F32 tensor on `backend` holding a copy of `host` (row-major). Any float expression
/// (xt::adapt, xt::zeros ...) converts to it.
Tensor from_host(Backend& backend, const xt::xarray<float>& host);
/// The host element types other than float that a tensor may be made from.
template <class T>
concept TypedHostElement = std::is_same_v<T, bfloat16> || std::is_same_v<T, std::int32_t>;

/// A new BF16 or I32 tensor on `backend` holding a copy of `host` (row-major). A template, so
/// that only an xarray of exactly that type picks it and float expressions stay unambiguous.
template <TypedHostElement T>
Tensor from_host(Backend& backend, const xt::xarray<T>& host);

/// Every host element type: float and the TypedHostElement ones.
template <class T>
concept HostElement = std::is_same_v<T, float> || TypedHostElement<T>;

/// A host copy of `tensor` with its shape, T being its dtype's host type (float, bfloat16 or
/// std::int32_t); ValueError when the tensor holds another dtype.
template <HostElement T>
xt::xarray<T> to_host_as(const Tensor& tensor);

/// A host copy of an F32 tensor with its shape: to_host_as<float>.
xt::xarray<float> to_host(const Tensor& tensor);

}  // namespace strata
