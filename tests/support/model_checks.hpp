#pragma once
// Checks on whole models: the tape's weight gradients against central differences, and the
// equality of two models' outputs and training runs.

#include <vector>

#include <xtensor/xarray.hpp>

#include "strata/model.hpp"

namespace strata::testing {

/// Central-difference check of every trainable weight's gradient for L = sum_i sum(y_i * r_i)
/// (y_i the model's outputs on `inputs`, r_i fixed random) against what the tape's backward
/// writes. Runs the model in training mode (dropout must be absent or at rate 0). An int32
/// input's array holds whole numbers, converted as fit converts them.
void check_model_gradients(Model& model, const std::vector<xt::xarray<float>>& inputs, double tolerance = 2e-2,
                           float epsilon = 2e-3f);

/// Host arrays of `shape` drawn uniformly from [-1, 1) with `seed`.
xt::xarray<float> random_array(const std::vector<std::size_t>& shape, std::uint64_t seed);

}  // namespace strata::testing
