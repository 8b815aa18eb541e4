// Batch and layer normalisation over x viewed as (rows, c): batch norm's statistics are per
// column (channel), layer norm's per row. Statistics are two-pass in double; the backward passes
// are the closed forms of the gradient of y = gamma xhat + beta, xhat = (x - mean) rstd, with the
// statistics' own dependence on x included.

#include <vector>

#include "backends/reference/common.hpp"
#include "backends/reference/reference_backend.hpp"

namespace strata::backends {

namespace {

void store(const std::vector<double>& acc, Tensor& t) {
  auto out = reference::values_of(t);
  assert(out.size() == acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) out[i] = static_cast<float>(acc[i]);
}

}  // namespace

void ReferenceBackend::batch_norm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                   float epsilon, float momentum, Tensor& y, Tensor& mean,
                                                   Tensor& variance, Tensor& moving_mean, Tensor& moving_variance) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  const auto scale = reference::values_of(gamma);
  const auto shift = reference::values_of(beta);
  assert(scale.size() == cols && shift.size() == cols && y.size() == x.size());
  std::vector<double> mu(cols, 0.0), var(cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) mu[j] += in[r * cols + j];
  for (std::size_t j = 0; j < cols; ++j) mu[j] /= static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) {
      const double centred = in[r * cols + j] - mu[j];
      var[j] += centred * centred;
    }
  for (std::size_t j = 0; j < cols; ++j) var[j] /= static_cast<double>(rows);  // biased, as Keras

  auto out = reference::values_of(y);
  for (std::size_t j = 0; j < cols; ++j) {
    const double rstd = 1.0 / std::sqrt(var[j] + static_cast<double>(epsilon));
    for (std::size_t r = 0; r < rows; ++r)
      out[r * cols + j] = static_cast<float>(scale[j] * (in[r * cols + j] - mu[j]) * rstd + shift[j]);
  }
  store(mu, mean);
  store(var, variance);

  auto moving_mu = reference::values_of(moving_mean);
  auto moving_var = reference::values_of(moving_variance);
  assert(moving_mu.size() == cols && moving_var.size() == cols);
  const double keep = momentum;
  for (std::size_t j = 0; j < cols; ++j) {
    moving_mu[j] = static_cast<float>(moving_mu[j] * keep + mu[j] * (1.0 - keep));
    moving_var[j] = static_cast<float>(moving_var[j] * keep + var[j] * (1.0 - keep));
  }
}

void ReferenceBackend::batch_norm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                    const Tensor& moving_mean, const Tensor& moving_variance,
                                                    float epsilon, Tensor& y) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  const auto scale = reference::values_of(gamma);
  const auto shift = reference::values_of(beta);
  const auto mu = reference::values_of(moving_mean);
  const auto var = reference::values_of(moving_variance);
  assert(scale.size() == cols && shift.size() == cols && mu.size() == cols && var.size() == cols);
  auto out = reference::values_of(y);
  assert(out.size() == in.size());
  for (std::size_t j = 0; j < cols; ++j) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(var[j]) + static_cast<double>(epsilon));
    for (std::size_t r = 0; r < rows; ++r)
      out[r * cols + j] =
          static_cast<float>(scale[j] * (static_cast<double>(in[r * cols + j]) - mu[j]) * rstd + shift[j]);
  }
}

// With N rows, xhat = (x - mean) rstd, dbeta = sum dy, dgamma = sum dy xhat (sums over rows):
// dx = gamma rstd / N (N dy - dbeta - xhat dgamma).
void ReferenceBackend::batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& gamma, const Tensor& mean,
                                           const Tensor& variance, float epsilon, Tensor& dx, Tensor& dgamma,
                                           Tensor& dbeta) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  const auto grad_out = reference::values_of(dy);
  const auto scale = reference::values_of(gamma);
  const auto mu = reference::values_of(mean);
  const auto var = reference::values_of(variance);
  assert(grad_out.size() == in.size() && scale.size() == cols && mu.size() == cols && var.size() == cols);
  std::vector<double> rstd(cols), sum_dy(cols, 0.0), sum_dy_xhat(cols, 0.0);
  for (std::size_t j = 0; j < cols; ++j)
    rstd[j] = 1.0 / std::sqrt(static_cast<double>(var[j]) + static_cast<double>(epsilon));
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) {
      const double xhat = (static_cast<double>(in[r * cols + j]) - mu[j]) * rstd[j];
      sum_dy[j] += grad_out[r * cols + j];
      sum_dy_xhat[j] += grad_out[r * cols + j] * xhat;
    }
  auto grad_in = reference::values_of(dx);
  assert(grad_in.size() == in.size());
  const double n = static_cast<double>(rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) {
      const double xhat = (static_cast<double>(in[r * cols + j]) - mu[j]) * rstd[j];
      grad_in[r * cols + j] =
          static_cast<float>(scale[j] * rstd[j] / n * (n * grad_out[r * cols + j] - sum_dy[j] - xhat * sum_dy_xhat[j]));
    }
  store(sum_dy_xhat, dgamma);
  store(sum_dy, dbeta);
}

void ReferenceBackend::layer_norm_forward(const Tensor& x, const Tensor* gamma, const Tensor* beta, float epsilon,
                                          Tensor& y, Tensor& mean, Tensor& rstd) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  auto out = reference::values_of(y);
  auto row_mean = reference::values_of(mean);
  auto row_rstd = reference::values_of(rstd);
  assert(out.size() == in.size() && row_mean.size() == rows && row_rstd.size() == rows);
  assert(gamma == nullptr || gamma->size() == static_cast<std::int64_t>(cols));
  assert(beta == nullptr || beta->size() == static_cast<std::int64_t>(cols));
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t base = r * cols;
    double mu = 0.0;
    for (std::size_t j = 0; j < cols; ++j) mu += in[base + j];
    mu /= static_cast<double>(cols);
    double var = 0.0;
    for (std::size_t j = 0; j < cols; ++j) var += (in[base + j] - mu) * (in[base + j] - mu);
    var /= static_cast<double>(cols);
    const double inv = 1.0 / std::sqrt(var + static_cast<double>(epsilon));
    for (std::size_t j = 0; j < cols; ++j) {
      double v = (in[base + j] - mu) * inv;
      if (gamma != nullptr) v *= reference::values_of(*gamma)[j];
      if (beta != nullptr) v += reference::values_of(*beta)[j];
      out[base + j] = static_cast<float>(v);
    }
    row_mean[r] = static_cast<float>(mu);
    row_rstd[r] = static_cast<float>(inv);
  }
}

// Per row of c values, with g = dy gamma and xhat = (x - mean) rstd:
// dx = rstd (g - mean(g) - xhat mean(g xhat)); over rows, dgamma = sum dy xhat, dbeta = sum dy.
void ReferenceBackend::layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor* gamma, const Tensor& mean,
                                           const Tensor& rstd, Tensor& dx, Tensor* dgamma, Tensor* dbeta) {
  const auto [rows, cols] = reference::rows_over_last_axis(x.shape());
  const auto in = reference::values_of(x);
  const auto grad_out = reference::values_of(dy);
  const auto row_mean = reference::values_of(mean);
  const auto row_rstd = reference::values_of(rstd);
  auto grad_in = reference::values_of(dx);
  assert(grad_out.size() == in.size() && grad_in.size() == in.size());
  assert(row_mean.size() == rows && row_rstd.size() == rows);
  std::vector<double> sum_dy(cols, 0.0), sum_dy_xhat(cols, 0.0), g(cols), xhat(cols);
  const double c = static_cast<double>(cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t base = r * cols;
    double mean_g = 0.0, mean_g_xhat = 0.0;
    for (std::size_t j = 0; j < cols; ++j) {
      xhat[j] = (static_cast<double>(in[base + j]) - row_mean[r]) * row_rstd[r];
      g[j] = grad_out[base + j];
      if (gamma != nullptr) g[j] *= reference::values_of(*gamma)[j];
      mean_g += g[j];
      mean_g_xhat += g[j] * xhat[j];
      sum_dy[j] += grad_out[base + j];
      sum_dy_xhat[j] += grad_out[base + j] * xhat[j];
    }
    mean_g /= c;
    mean_g_xhat /= c;
    for (std::size_t j = 0; j < cols; ++j)
      grad_in[base + j] = static_cast<float>(row_rstd[r] * (g[j] - mean_g - xhat[j] * mean_g_xhat));
  }
  if (dgamma != nullptr) store(sum_dy_xhat, *dgamma);
  if (dbeta != nullptr) store(sum_dy, *dbeta);
}

}  // namespace strata::backends
