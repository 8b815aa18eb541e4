#pragma once
/// @class strata::layers::TimeDistributed
/// TimeDistributed: one layer applied to every step of a sequence, as keras.layers.TimeDistributed.
///
/// - Args: layer: the layer applied at each step (one object, so every step shares its weights);
///   a layer written in place (`Dense(8)`) is moved in, a named one is referenced (it must
///   outlive this layer), a `std::shared_ptr` is shared, as in a Sequential.
/// - Input shape: (batch, steps, ...), at least 3 axes. The steps are folded into the batch,
///   `layer` runs once on (batch * steps, ...), and its output is unfolded to (batch, steps, ...).
/// - Mask: the input's, unchanged, as Keras 3's (a mask `layer` computes itself is not kept).
///   A `layer` that supports masking sees the input's mask folded with the steps.
/// - Weights: `layer`'s (Keras's files keep them under "layer").
/// .
/// Not yet: a wrapped BatchNormalization in training (Keras normalizes each step with its own
/// batch statistics, which folding would mix) and a wrapped layer with an activity regularizer
/// (Keras 3 calls the layer's call() directly and never applies it); both raise ValueError.
///
///     TimeDistributed(Dense(8));  TimeDistributed(Conv2D(16, 3))  // on (batch, steps, h, w, c)

#include <concepts>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/layer.hpp"
#include "strata/sequential.hpp"

namespace strata {
inline namespace layers {

class TimeDistributed : public LayerOf<TimeDistributed> {
 public:
  /// Wraps a layer the caller shares.
  explicit TimeDistributed(std::shared_ptr<Layer> layer, LayerOptions options = {});
  /// Wraps a layer written in place (moved in) or a named one (referenced), as Sequential holds them.
  template <class T>
  requires std::derived_from<std::remove_cvref_t<T>, Layer>
  explicit TimeDistributed(T&& layer, LayerOptions options = {})
      : TimeDistributed(SequentialItem(std::forward<T>(layer)).layer(), std::move(options)) {}
  /// Moves a layer not called yet (LayerOf moves a temporary into a graph).
  TimeDistributed(TimeDistributed&&) noexcept = default;

  /// "TimeDistributed", the registry key.
  std::string class_name() const override { return "TimeDistributed"; }
  /// (batch, steps, *the wrapped layer's output for (batch, *the input's axes after steps)).
  Shape compute_output_shape(const Shape& input_shape) const override;
  /// Keras's keys: "layer", the wrapped layer serialized.
  nlohmann::json get_config() const override;
  /// Rebuilds a TimeDistributed from the config get_config() (or Keras) wrote.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// Masks pass through (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// The wrapped layer.
  std::vector<Layer*> sublayers() const override { return {layer_.get()}; }
  /// Keras's attribute name in its weights files: "layer".
  std::vector<std::pair<std::string, Layer*>> saved_children() const override { return {{"layer", layer_.get()}}; }

  /// The wrapped layer (Keras's `layer`).
  Layer& layer() const { return *layer_; }

 protected:
  /// Builds the wrapped layer for one step's shape, (batch, *the axes after steps).
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  /// Folds the steps into the batch, calls the wrapped layer, unfolds (a composite call).
  Tensor call(std::span<const Tensor> inputs, bool training) override;

 private:
  std::shared_ptr<Layer> layer_;
};

}  // namespace layers
}  // namespace strata
