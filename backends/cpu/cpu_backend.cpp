#include "backends/cpu/cpu_backend.hpp"

#include "backends/cpu/dnnl_context.hpp"

namespace strata::backends {

CpuBackend::CpuBackend() : ctx_(std::make_unique<cpu::DnnlContext>()) {}
CpuBackend::~CpuBackend() = default;

std::size_t CpuBackend::cached_primitives() const {
  std::lock_guard lock(ctx_->mutex());
  return ctx_->cached_ops();
}

std::unique_ptr<Backend> make_cpu_backend() { return std::make_unique<CpuBackend>(); }

}  // namespace strata::backends
