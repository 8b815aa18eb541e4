#include "backends/dtype_check.hpp"

#include "strata/error.hpp"

namespace strata::backends {

namespace {

// The op a source_location's function name belongs to: "matmul" for
// "void strata::backends::CpuBackend::matmul(const strata::Tensor&, ...)", and the enclosing
// function's name for a lambda. The qualified name ends at the first '(' (parameters, or a
// lambda's enclosing function's); the op is its last component.
std::string_view op_name(std::string_view function_name) {
  std::string_view name = function_name.substr(0, function_name.find('('));
  if (const auto colons = name.rfind("::"); colons != std::string_view::npos) name.remove_prefix(colons + 2);
  if (const auto space = name.rfind(' '); space != std::string_view::npos) name.remove_prefix(space + 1);
  return name;
}

}  // namespace

bool host_supports(std::string_view op, DType dtype) {
  return dtype == DType::F32 || op == "cast" || (op == "matmul" && dtype == DType::BF16);
}

void refuse_dtype(std::string_view backend, const Tensor& t, DType wanted, const std::source_location& where) {
  throw BackendError(detail::concat("the ", backend, " backend's ", op_name(where.function_name()), " takes ",
                                    dtype_name(wanted), " tensors only and was given one of dtype ",
                                    dtype_name(t.dtype()), " and shape ", t.shape().to_string(), "; cast it to ",
                                    dtype_name(wanted), " first (Backend::supports says which dtypes each op takes)"));
}

}  // namespace strata::backends
