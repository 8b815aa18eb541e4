#include "backends/cpu/dnnl_context.hpp"

#include <omp.h>

#include <cstring>
#include <limits>

namespace strata::backends::cpu {

DnnlContext::DnnlContext()
    : engine_(dnnl_call("dnnl::engine(cpu, 0)", [] { return dnnl::engine(dnnl::engine::kind::cpu, 0); })),
      stream_(dnnl_call("dnnl::stream", [this] { return dnnl::stream(engine_); })) {}

dnnl::primitive_attr DnnlContext::attr() {
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

void DnnlContext::add(CachedOp& op, const dnnl::primitive_desc_base& pd, std::unordered_map<int, dnnl::memory> args) {
  const dnnl::memory::desc scratch = pd.scratchpad_desc();
  if (scratch.get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, owned(scratch));
  op.prims.emplace_back(pd.get());
  std::vector<dnnl_exec_arg_t> c_args;
  c_args.reserve(args.size());
  for (const auto& [arg, mem] : args) c_args.push_back({arg, mem.get()});
  op.args.push_back(std::move(args));
  op.c_args.push_back(std::move(c_args));
}

void DnnlContext::run(CachedOp& op, const char* what) {
  dnnl_call(what, [&] {
    for (std::size_t i = 0; i < op.prims.size(); ++i) run_one(op, i, stream_);
  });
}

void DnnlContext::run_one(CachedOp& op, std::size_t i, dnnl::stream& stream) {
  const auto& a = op.c_args[i];
  dnnl::error::wrap_c_api(dnnl_primitive_execute(op.prims[i].get(), stream.get(), static_cast<int>(a.size()), a.data()),
                          "dnnl_primitive_execute");
  stream.wait();
}

std::int64_t dtype_word(std::initializer_list<DType> dtypes) {
  static_assert(static_cast<int>(DType::F32) == 0, "a key that never sets PrimKey::dtypes means all F32");
  std::int64_t word = 0;
  int shift = 0;
  for (const DType dtype : dtypes) {
    word |= static_cast<std::int64_t>(dtype) << shift;
    shift += 4;
  }
  return word;
}

dnnl::memory::data_type dnnl_dt(DType dtype) {
  switch (dtype) {
    case DType::F32: return dnnl::memory::data_type::f32;
    case DType::BF16: return dnnl::memory::data_type::bf16;
    case DType::I32: return dnnl::memory::data_type::s32;
  }
  throw BackendError(detail::concat("cpu backend: no oneDNN data type for ", dtype_name(dtype)));
}

dnnl::memory::desc plain_md(const dnnl::memory::dims& dims, DType dtype) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return dnnl::memory::desc(dims, dnnl_dt(dtype), strides);
}

dnnl::memory::desc strided_md(const dnnl::memory::dims& dims, const dnnl::memory::dims& strides, DType dtype) {
  return dnnl::memory::desc(dims, dnnl_dt(dtype), strides);
}

std::vector<EltwiseStep> eltwise_steps(const ActivationFunction& act) {
  using A = dnnl::algorithm;
  switch (act.kind) {
    case ActivationKind::Linear: return {};
    case ActivationKind::Relu: {
      // Only threshold 0 reaches here (see fusable): alpha x below 0, x up to max_value.
      std::vector<EltwiseStep> steps{{A::eltwise_relu, act.alpha, 0.f}};
      if (act.max_value != std::numeric_limits<float>::infinity())
        steps.push_back({A::eltwise_clip_v2, -std::numeric_limits<float>::max(), act.max_value});
      return steps;
    }
    case ActivationKind::LeakyRelu: return {{A::eltwise_relu, act.alpha, 0.f}};
    case ActivationKind::Sigmoid: return {{A::eltwise_logistic, 0.f, 0.f}};
    case ActivationKind::Tanh: return {{A::eltwise_tanh, 0.f, 0.f}};
    case ActivationKind::Elu: return {{A::eltwise_elu, act.alpha, 0.f}};
    case ActivationKind::Selu: return {{A::eltwise_elu, kSeluAlpha, 0.f}, {A::eltwise_linear, kSeluScale, 0.f}};
    case ActivationKind::Gelu: return {{A::eltwise_gelu_erf, 0.f, 0.f}};
    case ActivationKind::Softplus: return {{A::eltwise_soft_relu, 0.f, 0.f}};
    case ActivationKind::Swish: return {{A::eltwise_swish, 1.f, 0.f}};
    case ActivationKind::Softmax: break;
  }
  throw BackendError(detail::concat("cpu backend: activation '", act.name(), "' is not element-wise"));
}

bool fusable(const ActivationFunction& act) {
  if (act.kind == ActivationKind::Softmax) return false;
  if (act.kind == ActivationKind::Relu && act.threshold != 0.f) return false;
  return true;
}

bool keeps_nan(const ActivationFunction& act) {
  // oneDNN's relu without a slope is max(x, 0) and its clip min(max(x, lo), hi), in vmaxps /
  // vminps, which return their second operand when one is NaN: NaN would come out as a number.
  // A slope (relu_compute_vector_fwd: compare, then blend with alpha x) keeps NaN.
  if (act.kind == ActivationKind::Relu)
    return act.alpha != 0.f && act.max_value == std::numeric_limits<float>::infinity();
  if (act.kind == ActivationKind::LeakyRelu) return act.alpha != 0.f;
  return true;
}

std::int64_t key_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return static_cast<std::int64_t>(u);
}

std::int64_t current_threads() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }

}  // namespace strata::backends::cpu
