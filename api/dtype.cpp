#include "strata/dtype.hpp"

#include "strata/error.hpp"

namespace strata {

namespace {
constexpr DType kAll[] = {DType::F32, DType::BF16, DType::I32};
}  // namespace

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F32: return 4;
    case DType::BF16: return 2;
    case DType::I32: return 4;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "float32";
    case DType::BF16: return "bfloat16";
    case DType::I32: return "int32";
  }
  return "unknown";
}

DType dtype_from_name(std::string_view name) {
  for (const DType dtype : kAll)
    if (dtype_name(dtype) == name) return dtype;
  std::string valid;
  for (const DType dtype : kAll) valid += detail::concat(valid.empty() ? "" : ", ", "\"", dtype_name(dtype), "\"");
  throw ValueError(detail::concat("Invalid dtype: \"", name, "\". Valid dtypes are ", valid, "."));
}

}  // namespace strata
