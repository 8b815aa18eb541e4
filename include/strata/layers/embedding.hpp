#pragma once
/// @class strata::layers::Embedding
/// Embedding: turns indices into dense vectors, y[..., :] = embeddings[x[...], :], as
/// keras.layers.Embedding.
///
/// - Args: input_dim (the vocabulary size: indices run over [0, input_dim)); output_dim; options.
/// - Input shape: (batch, ...) of int32 indices (an `Input(..., {.dtype = "int32"})`), or of
///   floats, which are truncated to integers as Keras's Embedding casts them.
/// - Output shape: the input's plus (output_dim).
/// - Weights: embeddings (input_dim, output_dim).
/// - Mask: with `mask_zero`, index 0 is padding: the output carries a mask that is 0 where the
///   input is 0, so the layers after it that support masking skip those steps (input_dim must
///   then count index 0 too: a vocabulary of n words needs input_dim n + 1).
/// .
/// An index outside [0, input_dim) raises ValueError naming its position, on every backend.
///
///     auto tokens = Input({20}, {.dtype = "int32"});
///     auto x = Embedding(10000, 64, {.mask_zero = true})(tokens);
///     x = GlobalAveragePooling1D()(x);  // averages the unmasked steps only

#include <optional>
#include <string>

#include "strata/constraints.hpp"
#include "strata/handle.hpp"
#include "strata/initializers.hpp"
#include "strata/layer.hpp"
#include "strata/regularizers.hpp"

namespace strata {
inline namespace layers {

/// The options of Embedding beyond its positional arguments, with Keras's defaults.
struct EmbeddingOptions {
  /// Initializer of the embeddings: an Initializer or Keras's name ("uniform": RandomUniform(-0.05, 0.05)).
  Handle<Initializer> embeddings_initializer = "uniform";
  /// Keras's `embeddings_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> embeddings_regularizer = std::nullopt;
  /// Keras's `activity_regularizer`: a Regularizer or its name ("l2"); none by default.
  std::optional<Handle<Regularizer>> activity_regularizer = std::nullopt;
  /// Keras's `embeddings_constraint`: a Constraint or its name ("unit_norm"), applied after each update.
  std::optional<Handle<Constraint>> embeddings_constraint = std::nullopt;
  /// Whether index 0 is padding that the following layers mask out.
  bool mask_zero = false;
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Embedding : public LayerOf<Embedding> {
 public:
  /// Makes the layer from Keras's arguments (see above); ValueError for a size below 1.
  Embedding(std::int64_t input_dim, std::int64_t output_dim, EmbeddingOptions options = {});

  std::string class_name() const override { return "Embedding"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds an Embedding from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

  /// The number of rows of the table (indices run over [0, input_dim)).
  std::int64_t input_dim() const { return input_dim_; }
  /// The length of each embedding vector.
  std::int64_t output_dim() const { return output_dim_; }
  /// The options the layer was made with.
  const EmbeddingOptions& options() const { return options_; }

  /// With mask_zero: 1 where the input is not 0, of the input's shape; else none.
  std::shared_ptr<const Tensor> compute_mask(std::span<const Tensor> inputs) override;
  /// Embedding takes int32 indices.
  bool takes_integer_inputs() const override { return true; }

 protected:
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::int64_t input_dim_;
  std::int64_t output_dim_;
  EmbeddingOptions options_;
  Variable* embeddings_ = nullptr;
};

}  // namespace layers
}  // namespace strata
