#include "layers/synchronized_batch_norm.hpp"

#include <cmath>
#include <vector>

#include "api/distributed/communicator.hpp"
#include "api/distributed/rank_context.hpp"

namespace strata::detail {

namespace {
std::vector<float> read(const Tensor& t) {
  std::vector<float> host(static_cast<std::size_t>(t.size()));
  t.backend().download(t, host.data());
  return host;
}
}  // namespace

void synchronized_batch_norm_forward(Backend& b, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                     float epsilon, float momentum, Tensor& y, Tensor& mean, Tensor& variance,
                                     Tensor& moving_mean, Tensor& moving_variance, Tensor& scratch, Tensor& channels) {
  const auto c = static_cast<std::size_t>(x.shape()[1]);
  // The global mean: every rank's column sums and row count, summed.
  b.sum_rows(x, channels);
  std::vector<float> sums = read(channels);
  sums.push_back(static_cast<float>(x.shape()[0]));
  comm::sum(sums.data(), sums.size(), "synchronized BatchNormalization's means");
  const double rows = sums[c];
  std::vector<float> m(c), negative(c);
  for (std::size_t j = 0; j < c; ++j) {
    m[j] = static_cast<float>(sums[j] / rows);
    negative[j] = -m[j];
  }
  b.upload(m.data(), mean);
  // The global (biased) variance: the centred squares' column sums, summed.
  b.upload(negative.data(), channels);
  b.add_bias(x, channels, scratch);
  b.multiply(scratch, scratch, scratch);
  b.sum_rows(scratch, channels);
  std::vector<float> squares = read(channels);
  comm::sum(squares.data(), c, "synchronized BatchNormalization's variances");
  std::vector<float> v(c);
  for (std::size_t j = 0; j < c; ++j) v[j] = static_cast<float>(squares[j] / rows);
  b.upload(v.data(), variance);
  b.batch_norm_forward_inference(x, gamma, beta, mean, variance, epsilon, y);
  // moving = moving * momentum + batch * (1 - momentum), as the unsynchronized layer.
  std::vector<float> moving_m = read(moving_mean), moving_v = read(moving_variance);
  for (std::size_t j = 0; j < c; ++j) {
    moving_m[j] = moving_m[j] * momentum + m[j] * (1.f - momentum);
    moving_v[j] = moving_v[j] * momentum + v[j] * (1.f - momentum);
  }
  b.upload(moving_m.data(), moving_mean);
  b.upload(moving_v.data(), moving_variance);
}

void synchronized_batch_norm_backward(Backend& b, const Tensor& x, const Tensor& dy, const Tensor& gamma,
                                      const Tensor& mean, const Tensor& variance, float epsilon, Tensor& dx,
                                      Tensor& dgamma, Tensor& dbeta, Tensor& scratch, Tensor& shift, Tensor& slope) {
  b.batch_norm_backward(x, dy, gamma, mean, variance, epsilon, dx, dgamma, dbeta);
  const auto c = static_cast<std::size_t>(x.shape()[1]);
  const std::vector<float> own_dgamma = read(dgamma), own_dbeta = read(dbeta);
  std::vector<float> sums(2 * c);
  const auto fraction = static_cast<float>(step_fraction());
  for (std::size_t j = 0; j < c; ++j) {
    sums[j] = own_dgamma[j] * fraction;
    sums[c + j] = own_dbeta[j] * fraction;
  }
  comm::sum(sums.data(), sums.size(), "synchronized BatchNormalization's gradients");
  const std::vector<float> g = read(gamma), m = read(mean), v = read(variance);
  const double rows = static_cast<double>(x.shape()[0]);
  std::vector<float> a(c), k(c);
  for (std::size_t j = 0; j < c; ++j) {
    const double rstd = 1.0 / std::sqrt(double(v[j]) + epsilon);
    const double scale = g[j] * rstd / rows;
    const double d_gamma = double(own_dgamma[j]) - sums[j], d_beta = double(own_dbeta[j]) - sums[c + j];
    a[j] = static_cast<float>(scale * (d_beta - m[j] * rstd * d_gamma));
    k[j] = static_cast<float>(scale * rstd * d_gamma);
  }
  b.upload(a.data(), shift);
  b.upload(k.data(), slope);
  // scratch = x * slope per channel: channel_scale's (n, s, c) by (n, c) with n = 1.
  const std::int64_t rows_count = x.shape()[0], channels = x.shape()[1];
  Tensor scratch3 = scratch.reshaped({1, rows_count, channels});
  b.channel_scale(x.reshaped({1, rows_count, channels}), slope.reshaped({1, channels}), scratch3);
  b.add_bias(scratch, shift, scratch);
  b.add(dx, scratch, dx);
}

}  // namespace strata::detail
