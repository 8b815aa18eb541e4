#pragma once
/// @class strata::layers::AdditiveAttention
/// AdditiveAttention, as keras.layers.AdditiveAttention: Bahdanau-style attention, the scores
/// sum(scale * tanh(query + key)) over the features, then Attention's masked softmax and
/// weighted sum of the values.
///
/// - Args: options (use_scale, dropout, seed; score_mode does not apply).
/// - Call, masks, output: as Attention's (`additive({query, value})`, `({query, value, key})`).
/// - Weights: scale (dim,) with use_scale (Keras's glorot_uniform).
/// .
///
///     auto y = AdditiveAttention()({query, value});

#include "strata/layers/attention.hpp"

namespace strata {
inline namespace layers {

/// The options of AdditiveAttention, with Keras's defaults (score_mode does not apply).
struct AdditiveAttentionOptions {
  /// Whether the scores are weighted by a learned vector, one weight per feature.
  bool use_scale = true;
  /// The dropout rate applied to the attention weights in training.
  float dropout = 0.f;
  /// The dropout's seed; unset: drawn from the global generator (strata::set_random_seed).
  std::optional<std::int64_t> seed = std::nullopt;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class AdditiveAttention : public LayerOf<AdditiveAttention, Attention> {
 public:
  /// Makes the layer from Keras's arguments, with its defaults.
  explicit AdditiveAttention(AdditiveAttentionOptions options = {});
  /// "AdditiveAttention".
  std::string class_name() const override { return "AdditiveAttention"; }
  using LayerOf<AdditiveAttention, Attention>::operator();
  /// Attends on a temporary layer, which moves into the graph (as an AdditiveAttention).
  Tensor operator()(std::initializer_list<Tensor> inputs, const AttentionCall& call) &&;

  /// Attention's config without score_mode, as Keras's.
  nlohmann::json get_config() const override;
  /// Rebuilds an AdditiveAttention from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  /// The (dim,) scale with use_scale.
  void build_scores(std::int64_t dim) override;
  /// sum(scale * tanh(query + key)) over the features.
  void scores_forward(const Tensor& query, const Tensor& key, Tensor& scores, bool training) override;
  /// The gradients of those scores.
  void scores_backward(const Tensor& d_scores, Tensor& d_query, Tensor& d_key) override;

 private:
  Variable* scale_ = nullptr;
};

}  // namespace layers
}  // namespace strata
