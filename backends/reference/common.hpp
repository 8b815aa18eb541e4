#pragma once
// Helpers the reference backend's op files share. Private to backends/reference/.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <source_location>
#include <span>

#include "backends/dtype_check.hpp"
#include "strata/backend.hpp"
#include "strata/tensor.hpp"

namespace strata::backends::reference {

/// The elements of an F32 tensor; BackendError naming the calling op for any other dtype
/// (backends/dtype_check.hpp).
inline std::span<float> values_of(Tensor& t, const std::source_location& where = std::source_location::current()) {
  if (t.dtype() != DType::F32) [[unlikely]]
    refuse_dtype("reference", t, DType::F32, where);
  return {t.data<float>(), static_cast<std::size_t>(t.size())};
}

inline std::span<const float> values_of(const Tensor& t,
                                        const std::source_location& where = std::source_location::current()) {
  if (t.dtype() != DType::F32) [[unlikely]]
    refuse_dtype("reference", t, DType::F32, where);
  return {t.data<const float>(), static_cast<std::size_t>(t.size())};
}

/// t's values as float32, for an op's float32 code to compute its bfloat16 form: a float32 copy
/// of a BF16 tensor (exact: every bfloat16 is a float32), any other tensor (undefined included)
/// itself, so that the float32 code's own checks still see it.
inline Tensor widened(const Tensor& t) {
  if (!t.defined() || t.dtype() != DType::BF16) return t;
  Tensor out(t.backend(), t.shape());
  t.backend().cast(t, out);
  return out;
}

/// Ends an output's widened() stand-in `f`: a BF16 `out` gets f's float32 result rounded once
/// (strata::bfloat16's rounding, as Backend::cast does); any other out was `f` itself.
inline void narrow_into(const Tensor& f, Tensor& out) {
  if (out.defined() && out.dtype() == DType::BF16) out.backend().cast(f, out);
}

/// A tensor seen as rows over its last axis: `rows` samples of `cols` values each.
struct RowView {
  std::size_t rows = 0;
  std::size_t cols = 0;
};

inline RowView rows_over_last_axis(const Shape& shape) {
  assert(shape.rank() >= 1);
  const auto cols = static_cast<std::size_t>(shape[-1]);
  const auto total = static_cast<std::size_t>(shape.num_elements());
  return {cols == 0 ? 0 : total / cols, cols};
}

/// 1 / (1 + exp(-x)) without overflow in exp for large |x|.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

/// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

}  // namespace strata::backends::reference
