#pragma once
// Private to layers/: BatchNormalization(synchronized=true) in a data-parallel step, where the
// batch's statistics are those of the global batch, summed across the ranks, rather than each
// rank's share. Built from the backend's per-channel ops and two small sums over the ranks in
// forward (the mean, then the centred squares, which keeps the variance accurate) and one in
// backward (the gradients of the statistics).
//
// Backward: with the global statistics, dx = gamma rstd (dy - Dbeta / n - xhat Dgamma / n) in
// this rank's units (its loss is the mean over its n rows), where Dbeta and Dgamma are the sums
// over ranks of each rank's sum(dy) and sum(dy xhat) weighted by its share of the batch (the
// weights the gradient sums use). The backend's batch_norm_backward gives the same formula with
// this rank's own sums; the difference is an affine function of x per channel, added to dx.

#include "strata/backend.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

/// x viewed as (rows, c). Writes y, the global mean and (biased) variance, and updates the
/// moving statistics as batch_norm_forward_training does. `scratch` is x-sized, `channels` (c).
void synchronized_batch_norm_forward(Backend& b, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                     float epsilon, float momentum, Tensor& y, Tensor& mean, Tensor& variance,
                                     Tensor& moving_mean, Tensor& moving_variance, Tensor& scratch, Tensor& channels);

/// dx, and this rank's dgamma and dbeta (the gradient sums add them across ranks), from the
/// forward's global mean and variance. `scratch` is x-sized, `shift` and `slope` (c).
void synchronized_batch_norm_backward(Backend& b, const Tensor& x, const Tensor& dy, const Tensor& gamma,
                                      const Tensor& mean, const Tensor& variance, float epsilon, Tensor& dx,
                                      Tensor& dgamma, Tensor& dbeta, Tensor& scratch, Tensor& shift, Tensor& slope);

}  // namespace strata::detail
