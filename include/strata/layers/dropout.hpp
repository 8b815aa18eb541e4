#pragma once
/// @class strata::layers::Dropout
/// Dropout: in training, zeroes each input element with probability `rate` and scales the rest
/// by 1 / (1 - rate); in inference, passes the input through. As keras.layers.Dropout.
///
///     Dropout(0.2);
/// - Input shape: any. Output shape: the input's.
/// .

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

/// The options of Dropout beyond its positional arguments, with Keras's defaults.
struct DropoutOptions {
  /// Seeds this layer's own generator; without it the layer draws from strata's seeded one.
  std::optional<std::int64_t> seed = {};
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's legacy `input_shape` (batch axis excluded) for a first layer; empty: not given.
  Shape input_shape = {};
  /// Keras's `dtype`: a dtype policy's name ("float32", "mixed_bfloat16"); empty: the global policy.
  std::string dtype = {};
};

class Dropout : public LayerOf<Dropout> {
 public:
  /// Makes the layer from Keras's arguments, in Keras's order and with its defaults (see above).
  explicit Dropout(float rate, DropoutOptions options = {});

  std::string class_name() const override { return "Dropout"; }
  /// Passes its input's mask on (Keras's supports_masking).
  bool supports_masking() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a Dropout from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The fraction of the input dropped in training.
  float rate() const { return rate_; }

 protected:
  bool computes_in(DType dtype) const override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::uint64_t next_seed();

  float rate_;
  DropoutOptions options_;
  std::optional<std::mt19937_64> own_rng_;
};

}  // namespace layers
}  // namespace strata
