#pragma once
/// @class strata::layers::RecurrentLayer
/// RecurrentLayer: what SimpleRNN, LSTM and GRU share, as Keras's RNN layer around their cells:
/// the weights (kernel, recurrent_kernel, bias, in Keras's gate order and layout), the loop over
/// the steps (Backend::rnn_forward / rnn_backward), masks, go_backwards, return_sequences and
/// initial states given as extra inputs.
///
/// - Input: (batch, steps, features), optionally followed by the initial states (batch, units):
///   `lstm({x, h0, c0})`, `gru({x, h0})` (Keras's `initial_state=[...]`).
/// - Output: (batch, units), the last step's output, or (batch, steps, units) with
///   return_sequences, in processing order (reversed with go_backwards, as Keras's).
/// - Mask: a masked input's masked steps are skipped (the states carry over and the step's
///   output is the carried state, as Keras's); with return_sequences the output carries the mask.
///   A call given initial states runs unmasked, as Keras's does (Keras hands a layer the mask
///   only when its call has one tensor argument).
/// .
/// Not yet: return_state, stateful, dropout and recurrent_dropout (each refused with a ValueError
/// when asked for), and activations other than tanh, sigmoid, relu and linear.

#include <optional>
#include <string>

#include "strata/activation.hpp"
#include "strata/backend.hpp"
#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
namespace detail {

/// The arguments of a recurrent layer, whichever its cell (each layer's options fill it).
struct RecurrentSpec {
  RnnKind kind = RnnKind::LSTM;
  std::int64_t units = 0;
  std::string activation = "tanh", recurrent_activation = "sigmoid";
  bool use_bias = true;
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  Handle<Initializer> recurrent_initializer = "orthogonal";
  Handle<Initializer> bias_initializer = "zeros";
  bool unit_forget_bias = true;
  std::optional<Handle<Regularizer>> kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer;
  std::optional<Handle<Constraint>> kernel_constraint, recurrent_constraint, bias_constraint;
  float dropout = 0.f, recurrent_dropout = 0.f;
  std::optional<std::int64_t> seed;
  bool return_sequences = false, return_state = false, go_backwards = false, stateful = false, unroll = false;
  bool reset_after = true;
  std::string use_cudnn = "auto";
};

}  // namespace detail

inline namespace layers {

class RecurrentLayer : public Layer {
 public:
  Shape compute_output_shape(const Shape& input_shape) const override;
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  nlohmann::json get_config() const override;
  /// With initial states, Keras's RNN.build names its shapes: {"shapes_dict": {"sequences_shape",
  /// "initial_state_shape"}}.
  nlohmann::json get_build_config() const override;

  /// The number of units (the state's and the output's size).
  std::int64_t units() const { return spec_.units; }
  /// Whether the output holds every step's output.
  bool return_sequences() const { return spec_.return_sequences; }
  /// Whether the steps run from last to first.
  bool go_backwards() const { return spec_.go_backwards; }

  /// Recurrent layers read masks (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  /// The input's mask with return_sequences (the steps stay) and no initial states, else none.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  /// Keras's RNN keeps its weights in its cell: an empty group of its own, the variables in "cell".
  std::vector<std::pair<std::string, std::vector<Variable*>>> saved_variable_groups() override;
  /// Keras's RNN takes its initial states as the `initial_state` keyword, after the sequence.
  std::vector<std::string> call_keywords(std::size_t count) const override;

 protected:
  /// Checks the arguments (Keras's messages, and what Strata does not do yet).
  RecurrentLayer(std::string_view prefix, detail::RecurrentSpec spec, const LayerOptions& options);
  /// Moves a layer not called yet (LayerOf moves a temporary into a graph).
  RecurrentLayer(RecurrentLayer&&) noexcept = default;

  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

  /// The arguments of a `kind` layer that a Keras config names (the keys get_config writes).
  static detail::RecurrentSpec spec_from_config(RnnKind kind, const nlohmann::json& config);

 private:
  // The Keras class of a cell kind (the constructor cannot ask the virtual class_name yet).
  static std::string_view class_name_for(RnnKind kind);
  // Its snake_case name, the prefix of the cell's ("lstm" -> "lstm_cell").
  static std::string_view snake_name_for(RnnKind kind);

  detail::RecurrentSpec spec_;
  RnnParams params_;
  Variable* kernel_ = nullptr;
  Variable* recurrent_kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
