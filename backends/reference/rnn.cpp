// The recurrent layers' loop (backends/rnn_loop.hpp) over plain products accumulated in double.

#include <functional>
#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"
#include "backends/rnn_loop.hpp"

namespace strata::backends {

namespace {

// C = op(A) op(B) + beta C, row-major, each entry summed in double.
void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
          const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::int64_t p = 0; p < k; ++p)
        sum += double(ta ? a[p * lda + i] : a[i * lda + p]) * double(tb ? b[j * ldb + p] : b[p * ldb + j]);
      float& out = c[i * ldc + j];
      out = static_cast<float>(beta == 0.f ? sum : sum + double(beta) * out);
    }
}

// The reference runs every row on the calling thread.
void all_rows(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& body) { body(0, n); }

const float* optional(const Tensor* t) { return t ? reference::values_of(*t).data() : nullptr; }
float* optional(Tensor* t) { return t ? reference::values_of(*t).data() : nullptr; }

}  // namespace

void ReferenceBackend::rnn_forward(const RnnParams& p, const Tensor& x, const Tensor& kernel,
                                   const Tensor& recurrent_kernel, const Tensor* bias, const Tensor* h0,
                                   const Tensor* c0, const Tensor* mask, Tensor& outputs, Tensor& h_last,
                                   Tensor* c_last, Tensor& workspace) {
  const Shape& xs = x.shape();
  const auto g = rnn::geometry(p, xs[0], xs[1], xs[2], h_last.shape()[1]);
  assert(workspace.size() == g.size());
  std::vector<float> scratch;
  rnn::forward(
      p, g,
      {reference::values_of(x).data(), reference::values_of(kernel).data(),
       reference::values_of(recurrent_kernel).data(), optional(bias), optional(h0), optional(c0), optional(mask),
       reference::values_of(outputs).data(), reference::values_of(h_last).data(), optional(c_last),
       reference::values_of(workspace).data()},
      gemm,
      [&](std::int64_t n) {
        scratch.assign(static_cast<std::size_t>(n), 0.f);
        return scratch.data();
      },
      all_rows);
}

void ReferenceBackend::rnn_backward(const RnnParams& p, const Tensor& x, const Tensor& kernel,
                                    const Tensor& recurrent_kernel, const Tensor* bias, const Tensor* mask,
                                    const Tensor& workspace, const Tensor* d_outputs, const Tensor* d_h_last,
                                    Tensor* dx, Tensor& d_kernel, Tensor& d_recurrent_kernel, Tensor* d_bias,
                                    Tensor* d_h0, Tensor* d_c0) {
  const Shape& xs = x.shape();
  const auto g = rnn::geometry(p, xs[0], xs[1], xs[2], recurrent_kernel.shape()[0]);
  assert(workspace.size() == g.size());
  std::vector<float> scratch;
  rnn::backward(
      p, g,
      {reference::values_of(x).data(), reference::values_of(kernel).data(),
       reference::values_of(recurrent_kernel).data(), bias != nullptr, optional(mask),
       reference::values_of(workspace).data(), optional(d_outputs), optional(d_h_last), optional(dx),
       reference::values_of(d_kernel).data(), reference::values_of(d_recurrent_kernel).data(), optional(d_bias),
       optional(d_h0), optional(d_c0)},
      gemm,
      [&](std::int64_t n) {
        scratch.assign(static_cast<std::size_t>(n), 0.f);
        return scratch.data();
      },
      all_rows);
}

}  // namespace strata::backends
