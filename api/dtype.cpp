#include "strata/dtype.hpp"

namespace strata {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F32: return 4;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "float32";
  }
  return "unknown";
}

}  // namespace strata
