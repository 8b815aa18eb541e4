#pragma once
/// @class strata::layers::Attention
/// Attention, as keras.layers.Attention: Luong-style dot-product attention of a query over a
/// value (and key), with no projections of its own.
///
/// - Args: options (use_scale, score_mode, dropout, seed).
/// - Call: `attention({query, value})` or `attention({query, value, key})`, with
///   AttentionCall's use_causal_mask: query (batch, Tq, dim), value (batch, Tk, value_dim), key
///   (batch, Tk, dim; the value when not given).
/// - Output shape: (batch, Tq, value_dim): softmax(query key^T [* scale]) value.
/// - Weights: scale () with use_scale (initialised to 1).
/// - Masks, as Keras: the value's mask (and the causal mask) hide keys, whose scores lose 1e9
///   before the softmax; the output is zero at the query's masked steps and carries its mask.
///   A query that may attend to no key gets equal weights over all keys (Keras subtracts 1e9
///   from every score there, which leaves nearly equal ones).
/// - Not supported: score_mode "concat", return_attention_scores (a layer has one output). It
///   computes in float32 under a mixed policy.
/// .
///
///     auto y = Attention()({query, value});
///     auto z = Attention({.use_scale = true})({query, value, key}, {.use_causal_mask = true});

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

/// The options of Attention, with Keras's defaults.
struct AttentionOptions {
  /// Whether the scores are multiplied by a learned scalar.
  bool use_scale = false;
  /// How the scores are computed: "dot" (the only one Strata supports) or Keras's "concat".
  std::string score_mode = "dot";
  /// The dropout rate applied to the attention weights in training.
  float dropout = 0.f;
  /// The dropout's seed; unset: drawn from the global generator (strata::set_random_seed).
  std::optional<std::int64_t> seed = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

/// The call arguments of Attention and AdditiveAttention beyond their inputs, with Keras's defaults.
struct AttentionCall {
  /// Whether a query may attend only to keys at its own position or before it (a decoder's mask).
  bool use_causal_mask = false;
  /// Keras's `training`; unset: the enclosing call's.
  std::optional<bool> training = std::nullopt;
};

class Attention : public LayerOf<Attention> {
 public:
  /// Makes the layer from Keras's arguments, with its defaults (see above).
  explicit Attention(AttentionOptions options = {});
  std::string class_name() const override { return "Attention"; }

  /// Attends from the query to the value (and key): `attention({query, value}, {.use_causal_mask = true})`.
  Tensor operator()(std::initializer_list<Tensor> inputs, const AttentionCall& call) &;
  /// The same on a temporary layer, which moves into the graph.
  Tensor operator()(std::initializer_list<Tensor> inputs, const AttentionCall& call) &&;
  using LayerOf<Attention>::operator();

  /// Reads the query's and value's masks; the output carries the query's.
  bool supports_masking() const override { return true; }
  Shape compute_output_shape_inputs(std::span<const Shape> input_shapes) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds an Attention from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// {"use_causal_mask": true} when the layer is called with it.
  nlohmann::json call_arguments() const override;
  /// Reads use_causal_mask from a Functional config's call.
  void set_call_arguments(const nlohmann::json& kwargs) override;

  /// Per-call buffers below this index are Attention's own; a derived layer's scores use those
  /// from it on.
  static constexpr std::size_t kFirstScoreSlot = 16;
  /// The same for the tensors saved for backward (a call saves at most 12).
  static constexpr std::size_t kFirstScoreSaved = 9;

 protected:
  /// For AdditiveAttention: its prefix and options.
  Attention(std::string_view prefix, AttentionOptions options);

  void build_weights_inputs(std::span<const Shape> input_shapes) override;
  Tensor forward_inputs(std::span<const Tensor> inputs, bool training) override;
  void backward_inputs(const Tensor& dy, std::span<Tensor> dxs, std::uint32_t need_mask) override;

  /// The score weights for queries and keys of `dim` features (Attention: the scalar scale).
  virtual void build_scores(std::int64_t dim);
  /// scores (batch, Tq, Tk) from query (batch, Tq, dim) and key (batch, Tk, dim), keeping what
  /// scores_backward reads when `training`.
  virtual void scores_forward(const Tensor& query, const Tensor& key, Tensor& scores, bool training);
  /// From d_scores: writes d_query and d_key and the score weights' gradients.
  virtual void scores_backward(const Tensor& d_scores, Tensor& d_query, Tensor& d_key);

  /// The options (AdditiveAttention reads use_scale and writes its config from them).
  const AttentionOptions& options() const { return options_; }

 private:
  void set_causal(bool causal);
  std::uint64_t next_seed();

  AttentionOptions options_;
  std::optional<bool> use_causal_mask_;
  std::optional<std::mt19937_64> own_rng_;
  Variable* scale_ = nullptr;
};

}  // namespace layers
}  // namespace strata
