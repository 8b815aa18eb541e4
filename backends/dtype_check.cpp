#include "backends/dtype_check.hpp"

#include <algorithm>
#include <array>

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
  if (dtype == DType::F32 || op == "cast") return true;
  if (dtype == DType::I32) return op == "embedding_forward" || op == "embedding_backward";
  if (dtype != DType::BF16) return false;
  static constexpr std::array<std::string_view, 13> kBf16Ops = {"matmul",
                                                                "dense_forward",
                                                                "activation_forward",
                                                                "activation_backward",
                                                                "sum_rows",
                                                                "conv2d_forward",
                                                                "conv2d_backward_data",
                                                                "conv2d_backward_weights",
                                                                "pool2d_forward",
                                                                "pool2d_backward",
                                                                "dropout_forward",
                                                                "multiply",
                                                                "fill"};
  return std::find(kBf16Ops.begin(), kBf16Ops.end(), op) != kBf16Ops.end();
}

const std::int32_t* indices_of(std::string_view backend, const Tensor& t, const std::source_location& where) {
  if (t.dtype() != DType::I32) [[unlikely]]
    refuse_dtype(backend, t, DType::I32, where);
  return t.data<const std::int32_t>();
}

void check_indices(const std::int32_t* indices, const Shape& shape, std::int64_t limit) {
  const std::int64_t n = shape.num_elements();
  for (std::int64_t p = 0; p < n; ++p) {
    if (indices[p] >= 0 && indices[p] < limit) [[likely]]
      continue;
    // The position as TensorFlow prints it: one index per axis, row-major.
    std::string where;
    std::int64_t rest = p;
    for (std::size_t axis = shape.rank(); axis-- > 0;) {
      const std::int64_t size = shape[static_cast<std::int64_t>(axis)];
      where = detail::concat(rest % size, where.empty() ? "" : ",", where);
      rest /= size;
    }
    throw ValueError(detail::concat("indices[", where, "] = ", indices[p], " is not in [0, ", limit,
                                    "): an Embedding's input must hold indices below its input_dim"));
  }
}

void refuse_dtype(std::string_view backend, const Tensor& t, DType wanted, const std::source_location& where) {
  throw BackendError(detail::concat("the ", backend, " backend's ", op_name(where.function_name()), " takes ",
                                    dtype_name(wanted), " tensors only and was given one of dtype ",
                                    dtype_name(t.dtype()), " and shape ", t.shape().to_string(), "; cast it to ",
                                    dtype_name(wanted), " first (Backend::supports says which dtypes each op takes)"));
}

bool takes_bf16(std::string_view backend, std::initializer_list<DTypeRole> roles, const std::source_location& where) {
  const Tensor& lead = *roles.begin()->tensor;
  if (lead.dtype() != DType::BF16) return false;
  for (const DTypeRole& role : roles)
    if (role.tensor && role.tensor->defined() && role.tensor->dtype() != role.bf16_form)
      throw BackendError(detail::concat(
          "the ", backend, " backend's ", op_name(where.function_name()),
          " takes float32 tensors, or bfloat16 activations beside float32 variables (Backend::supports says which "
          "ops), and was given one of dtype ",
          dtype_name(lead.dtype()), " and shape ", lead.shape().to_string(), " beside one of dtype ",
          dtype_name(role.tensor->dtype()), " and shape ", role.tensor->shape().to_string(),
          " where its bfloat16 form takes ", dtype_name(role.bf16_form), "; cast it first"));
  return true;
}

}  // namespace strata::backends
