#pragma once
/// @class strata::layers::MultiHeadAttention
/// MultiHeadAttention, as keras.layers.MultiHeadAttention: `num_heads` scaled dot-product
/// attentions of the query over the key, each on its own learned projections, their outputs
/// concatenated and projected back.
///
/// - Args: num_heads; key_dim (each head's query and key size); options.
/// - Call: `mha(query, value)` for self- or cross-attention, with MultiHeadAttentionCall's key,
///   attention_mask and use_causal_mask: query (batch, Tq, query_dim), value (batch, Tk,
///   value_dim), key (batch, Tk, key_dim; the value when not given), attention_mask (batch, Tq,
///   Tk), nonzero where a query may attend to a key.
/// - Output shape: (batch, Tq, output_shape or query_dim).
/// - Weights (Keras's EinsumDense shapes and names): query/kernel (query_dim, num_heads,
///   key_dim) and query/bias (num_heads, key_dim); key/...; value/kernel (value_dim,
///   num_heads, value_dim); attention_output/kernel (num_heads, value_dim, output_dim) and its
///   bias (output_dim).
/// - Masks, as Keras: the query's mask, the value's and the key's (Embedding(mask_zero),
///   Masking) combine with attention_mask and the causal mask; a query may attend to a key where
///   all of them allow it. The output carries the query's mask.
/// - Not supported: attention over several axes (`attention_axes`, inputs of rank other than
///   3), return_attention_scores (a layer has one output), use_gate, sliding_window, flash
///   attention. It computes in float32 under a mixed policy.
/// .
///
///     auto x = Input({49, 64});
///     auto y = MultiHeadAttention(4, 16)(x, x);                             // self-attention
///     auto z = MultiHeadAttention(4, 16)(x, x, {.use_causal_mask = true});  // a decoder's

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
inline namespace layers {

/// The options of MultiHeadAttention beyond its positional arguments, with Keras's defaults.
struct MultiHeadAttentionOptions {
  /// Each head's value size; unset: key_dim.
  std::optional<std::int64_t> value_dim = std::nullopt;
  /// The dropout rate applied to the attention weights in training.
  float dropout = 0.f;
  /// Whether the four projections add a learned bias.
  bool use_bias = true;
  /// The size of the output's last axis; unset: the query's.
  std::optional<std::int64_t> output_shape = std::nullopt;
  /// Initializer of the four kernels: an Initializer or Keras's name.
  Handle<Initializer> kernel_initializer = "glorot_uniform";
  /// Initializer of the four biases: an Initializer or Keras's name.
  Handle<Initializer> bias_initializer = "zeros";
  /// Keras's `kernel_regularizer`, on each kernel; none by default.
  std::optional<Handle<Regularizer>> kernel_regularizer = std::nullopt;
  /// Keras's `bias_regularizer`, on each bias; none by default.
  std::optional<Handle<Regularizer>> bias_regularizer = std::nullopt;
  /// Keras's `activity_regularizer`; none by default.
  std::optional<Handle<Regularizer>> activity_regularizer = std::nullopt;
  /// Keras's `kernel_constraint`, applied to each kernel after each update.
  std::optional<Handle<Constraint>> kernel_constraint = std::nullopt;
  /// Keras's `bias_constraint`, applied to each bias after each update.
  std::optional<Handle<Constraint>> bias_constraint = std::nullopt;
  /// The dropout's seed; unset: drawn from the global generator (strata::set_random_seed).
  std::optional<std::int64_t> seed = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

/// The call arguments of MultiHeadAttention beyond query and value, with Keras's defaults.
struct MultiHeadAttentionCall {
  /// The key (batch, Tk, key_dim); unset: the value.
  std::optional<Tensor> key = std::nullopt;
  /// (batch, Tq, Tk): nonzero where a query may attend to a key; unset: every key.
  std::optional<Tensor> attention_mask = std::nullopt;
  /// Whether a query may attend only to keys at its own position or before it (a decoder's mask).
  bool use_causal_mask = false;
  /// Keras's `training`; unset: the enclosing call's.
  std::optional<bool> training = std::nullopt;
};

class MultiHeadAttention : public LayerOf<MultiHeadAttention> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  MultiHeadAttention(std::int64_t num_heads, std::int64_t key_dim, MultiHeadAttentionOptions options = {});
  std::string class_name() const override { return "MultiHeadAttention"; }

  /// Attends from `query` to `value` (and `call.key`), as Keras's `layer(query, value, ...)`.
  Tensor operator()(const Tensor& query, const Tensor& value, const MultiHeadAttentionCall& call = {}) &;
  /// The same on a temporary layer, which moves into the graph.
  Tensor operator()(const Tensor& query, const Tensor& value, const MultiHeadAttentionCall& call = {}) &&;
  using Layer::operator();

  /// The number of heads.
  std::int64_t num_heads() const { return num_heads_; }
  /// Each head's query and key size.
  std::int64_t key_dim() const { return key_dim_; }
  /// Each head's value size.
  std::int64_t value_dim() const { return value_dim_; }

  /// Passes the query's mask on, and reads every input's (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  nlohmann::json get_config() const override;
  /// Keras's build takes {"query_shape", "value_shape", "key_shape"} by name.
  nlohmann::json get_build_config() const override;
  /// Rebuilds a MultiHeadAttention from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// Keras keeps each projection's kernel and bias under its EinsumDense's attribute name.
  std::vector<std::pair<std::string, std::vector<Variable*>>> saved_variable_groups() override;
  /// query and value positional; key and attention_mask by keyword.
  std::vector<std::string> call_keywords(std::size_t count) const override;
  /// Query and value are separate arguments, not a list.
  bool positional_inputs_separate() const override { return true; }
  /// {"use_causal_mask": true} when the layer is called with it.
  nlohmann::json call_arguments() const override;
  /// Reads which of key and attention_mask a Functional config's call passes, and use_causal_mask.
  void set_call_arguments(const nlohmann::json& kwargs) override;

 protected:
  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

 private:
  // What the layer's calls pass besides query and value; one call's layout for every call.
  struct CallLayout {
    bool key = false;
    bool attention_mask = false;
    bool use_causal_mask = false;
    bool operator==(const CallLayout&) const = default;
  };
  void set_layout(const CallLayout& layout);
  // The (batch, Tq, Tk) mask this call's queries attend through (null: none), from the inputs'
  // masks, the attention_mask input and the causal mask.
  const Tensor* combined_mask(std::span<const Tensor> inputs);
  std::uint64_t next_seed();

  std::int64_t num_heads_;
  std::int64_t key_dim_;
  std::int64_t value_dim_;
  MultiHeadAttentionOptions options_;
  std::optional<CallLayout> layout_;
  std::optional<std::mt19937_64> own_rng_;
  std::int64_t output_dim_ = 0;
  Variable* query_kernel_ = nullptr;
  Variable* query_bias_ = nullptr;
  Variable* key_kernel_ = nullptr;
  Variable* key_bias_ = nullptr;
  Variable* value_kernel_ = nullptr;
  Variable* value_bias_ = nullptr;
  Variable* output_kernel_ = nullptr;
  Variable* output_bias_ = nullptr;
};

}  // namespace layers
}  // namespace strata
