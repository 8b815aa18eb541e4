// The recurrent layers' loop (backends/rnn_loop.hpp) over oneDNN's sgemm, which runs each
// step's products on the OpenMP team. The per-step element-wise work stays on this thread.
// (oneDNN's fused RNN primitives do not take Keras's per-sample masks; they are the later step
// for unmasked sequences.)

#include <algorithm>

#include <oneapi/dnnl/dnnl.h>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/kernels.hpp"
#include "backends/rnn_loop.hpp"
#include "strata/error.hpp"

namespace strata::backends {

using namespace cpu;

namespace {

void gemm(bool ta, bool tb, Index m, Index n, Index k, const float* a, Index lda, const float* b, Index ldb, float beta,
          float* c, Index ldc) {
  if (m == 0 || n == 0) return;
  const dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, beta, c, ldc);
  STRATA_CHECK(status == dnnl_success, BackendError, "the cpu backend's recurrent loop: oneDNN's sgemm failed (status ",
               static_cast<int>(status), ") for a ", m, "x", k, " by ", k, "x", n, " product");
}

// A step's element-wise work split by batch rows between the OpenMP threads, once a step holds
// enough of it (each row costs a few transcendentals per unit and gate).
auto rows_of(Index units_per_row) {
  return [units_per_row](Index n, auto&& body) {
    parallel_range(n, std::max<Index>(1, Index{4096} / std::max<Index>(units_per_row, 1)), body);
  };
}

const float* optional(const Tensor* t) { return t ? f32(*t) : nullptr; }
float* optional(Tensor* t) { return t ? f32(*t) : nullptr; }

}  // namespace

void CpuBackend::rnn_forward(const RnnParams& p, const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel,
                             const Tensor* bias, const Tensor* h0, const Tensor* c0, const Tensor* mask,
                             Tensor& outputs, Tensor& h_last, Tensor* c_last, Tensor& workspace) {
  const Shape& xs = x.shape();
  const auto g = rnn::geometry(p, xs[0], xs[1], xs[2], h_last.shape()[1]);
  STRATA_CHECK(workspace.size() == g.size(), BackendError, "rnn_forward: the workspace holds ", workspace.size(),
               " values where ", g.size(), " are needed");
  rnn::forward(
      p, g,
      {f32(x), f32(kernel), f32(recurrent_kernel), optional(bias), optional(h0), optional(c0), optional(mask),
       f32(outputs), f32(h_last), optional(c_last), f32(workspace)},
      gemm, [](Index n) { return thread_scratch(n); }, rows_of(g.gates * g.units));
}

void CpuBackend::rnn_backward(const RnnParams& p, const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel,
                              const Tensor* bias, const Tensor* mask, const Tensor& workspace, const Tensor* d_outputs,
                              const Tensor* d_h_last, Tensor* dx, Tensor& d_kernel, Tensor& d_recurrent_kernel,
                              Tensor* d_bias, Tensor* d_h0, Tensor* d_c0) {
  const Shape& xs = x.shape();
  const auto g = rnn::geometry(p, xs[0], xs[1], xs[2], recurrent_kernel.shape()[0]);
  STRATA_CHECK(workspace.size() == g.size(), BackendError, "rnn_backward: the workspace holds ", workspace.size(),
               " values where ", g.size(), " are needed");
  rnn::backward(
      p, g,
      {f32(x), f32(kernel), f32(recurrent_kernel), bias != nullptr, optional(mask), f32(workspace), optional(d_outputs),
       optional(d_h_last), optional(dx), f32(d_kernel), f32(d_recurrent_kernel), optional(d_bias), optional(d_h0),
       optional(d_c0)},
      gemm, [](Index n) { return thread_scratch(n); }, rows_of(g.gates * g.units));
}

}  // namespace strata::backends
