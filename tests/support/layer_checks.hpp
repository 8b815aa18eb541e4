#pragma once
// The layer checklist (Keras's run_layer_test): every layer test calls these on every backend.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/layer.hpp"
#include "strata/shape.hpp"

namespace strata::testing {

/// One row of a layer test's table: a label for the report, a factory that makes a fresh layer,
/// and a concrete input shape (the config check builds with its batch axis None).
struct LayerCase {
  std::string label;
  std::function<std::shared_ptr<Layer>()> make;
  Shape shape;
};

/// A LayerCase factory: every call makes a new T from the same constructor arguments.
template <class T, class... Args>
std::function<std::shared_ptr<Layer>()> factory(Args... args) {
  return [=] { return std::make_shared<T>(args...); };
}

/// Host values start, start + 1, ..., start + n - 1.
std::vector<float> iota(std::int64_t n, float start = 0);

/// Host values drawn uniformly from [-1, 1) with a fixed seed.
std::vector<float> random_values(std::int64_t count, std::uint64_t seed);

/// Runs `layer` forward on host `input` of `shape` (training or not) and returns the host output.
std::vector<float> run_forward(Layer& layer, const Shape& shape, const std::vector<float>& input, bool training);

/// backward() reads the context of the layer's own last call: after a training call on another
/// input (and its backward) and an inference call, a training call on `input_shape` and its
/// backward must give the dL/dx and weight gradients a fresh copy of the layer (from its config,
/// with its weights) gets from that input alone. Strata's generator is reseeded before both, so
/// a dropout layer drawing from it (no seed option of its own) draws the same mask.
void check_backward_uses_last_call(Layer& layer, const Shape& input_shape);

/// Central-difference check of dL/dx and of every trainable weight's gradient for
/// L = sum(y * r), r fixed random: the analytic gradients from backward() must match the
/// numeric ones within `tolerance` (relative to the largest gradient magnitude, floored at 1).
/// Runs check_backward_uses_last_call first.
void check_gradients(Layer& layer, const Shape& input_shape, double tolerance = 2e-2, float epsilon = 2e-3f);

/// Builds the layer, checks its output shape against compute_output_shape, that get_config
/// survives Layer::from_config unchanged, and that the rebuilt layer given the same weights
/// computes the same outputs.
void check_config_round_trip(const std::function<std::shared_ptr<Layer>()>& make, const Shape& input_shape);

/// check_gradients for a layer of several inputs (the merge layers): dL/d input i of every
/// input and every trainable weight's gradient for L = sum(y * r), against central differences.
/// The analytic pass runs as a model step does, recorded on the engine's tape with each input
/// made by a layer of its own, so it exercises backward_inputs with its real need mask.
void check_gradients_inputs(Layer& layer, std::span<const Shape> input_shapes, double tolerance = 2e-2,
                            float epsilon = 2e-3f);

}  // namespace strata::testing
