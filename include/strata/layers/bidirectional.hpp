#pragma once
/// @class strata::layers::Bidirectional
/// Bidirectional: a recurrent layer run over the sequence both ways, as keras.layers.Bidirectional.
///
/// - Args: layer: the recurrent layer (SimpleRNN, LSTM or GRU) whose config both directions copy,
///   as Keras recreates it (the given object itself is not used and keeps no weights); options
///   (Keras's arguments, below).
/// - The forward layer is `layer`'s config named "forward_<name>"; the backward layer is
///   `backward_layer`, or `layer`'s config with go_backwards=True named "backward_<name>".
/// - Input shape: (batch, steps, features), optionally followed by the initial states, the
///   forward layer's first and the backward layer's after (Keras's `initial_state=[...]` split in
///   halves): `bidi({x, h_fwd, c_fwd, h_bwd, c_bwd})` for LSTMs.
/// - Output: the two directions' outputs merged by merge_mode: "concat" (the last axis doubles),
///   "sum", "mul" or "ave". With return_sequences the backward output is reversed in time first,
///   so both describe the same step, and a masked step outputs zeros (Keras forces
///   zero_output_for_mask on both layers).
/// - Mask: the input's goes to both directions (unless initial states are given: Keras then runs
///   them unmasked); the output carries it with return_sequences, else none.
/// - Weights: the forward layer's, then the backward layer's (Keras's files keep them under
///   "forward_layer" and "backward_layer").
/// .
/// Not yet: merge_mode None (Keras returns the two outputs as a list; a Strata layer has one
/// output) and return_state, refused with a ValueError.
///
///     Bidirectional(LSTM(64, {.return_sequences = true}));  Bidirectional(GRU(32), {.merge_mode = "sum"});

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/layer.hpp"
#include "strata/layers/recurrent.hpp"

namespace strata {
inline namespace layers {

/// The options of Bidirectional beyond the wrapped layer, with Keras's names and defaults.
struct BidirectionalOptions {
  /// How the outputs combine: "concat", "sum", "mul" or "ave"; std::nullopt is Keras's None
  /// (refused: it returns two outputs).
  std::optional<std::string> merge_mode = "concat";
  /// Keras's `backward_layer`: the recurrent layer that reads the sequence backwards, used as it
  /// is (shared); its go_backwards must differ from `layer`'s and its return_sequences,
  /// return_state and stateful match. Null: made from `layer`'s config.
  std::shared_ptr<Layer> backward_layer = nullptr;
  /// The layer's name; empty: Keras's automatic one ("bidirectional", then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Bidirectional : public LayerOf<Bidirectional> {
 public:
  /// Makes the two directions from `layer`'s config (see above); ValueError for what Keras
  /// refuses, for a layer that is not recurrent and for merge_mode None.
  explicit Bidirectional(const Layer& layer, BidirectionalOptions options = {});
  /// Moves a layer not called yet (LayerOf moves a temporary into a graph).
  Bidirectional(Bidirectional&&) noexcept = default;

  /// "Bidirectional", the registry key.
  std::string class_name() const override { return "Bidirectional"; }
  /// The forward layer's output shape, its last axis doubled for "concat".
  Shape compute_output_shape(const Shape& input_shape) const override;
  /// The same for a sequence followed by initial states (their shapes are checked by the calls).
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  /// Keras's keys: "merge_mode", "layer" (the forward layer) and "backward_layer", each layer
  /// serialized with zero_output_for_mask as Keras forces it (return_sequences).
  nlohmann::json get_config() const override;
  /// With initial states, Keras's {"shapes_dict": {"sequences_shape", "initial_state_shape"}}.
  nlohmann::json get_build_config() const override;
  /// Rebuilds a Bidirectional from the config get_config() (or Keras) wrote.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// Masks pass to both directions (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// The forward layer, then the backward layer (Keras's weights order).
  std::vector<Layer*> sublayers() const override;
  /// Keras's attribute names in its weights files: "forward_layer", "backward_layer".
  std::vector<std::pair<std::string, Layer*>> saved_children() const override;
  /// As the wrapped layer's call: the sequence, then the `initial_state` list.
  std::vector<std::string> call_keywords(std::size_t count) const override;

  /// The layer that reads the sequence in order (Keras's `forward_layer`).
  RecurrentLayer& forward_layer() const { return *forward_; }
  /// The layer that reads it from the end (Keras's `backward_layer`).
  RecurrentLayer& backward_layer() const { return *backward_; }
  /// "concat", "sum", "mul" or "ave".
  const std::string& merge_mode() const { return merge_mode_; }
  /// Whether the output holds every step (the wrapped layer's return_sequences).
  bool return_sequences() const { return forward_->return_sequences(); }

 protected:
  /// Builds both directions for the sequence's shape, as Keras's Bidirectional.build.
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  /// Runs both directions and merges them (a composite call: the tape differentiates it).
  Tensor call(std::span<const Tensor> inputs, bool training) override;

 private:
  std::shared_ptr<RecurrentLayer> forward_, backward_;
  std::string merge_mode_;
};

}  // namespace layers
}  // namespace strata
