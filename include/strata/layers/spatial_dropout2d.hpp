#pragma once
/// @class strata::layers::SpatialDropout2D
/// SpatialDropout2D: in training, drops whole channels (feature maps) of each sample with
/// probability `rate` and scales the kept ones by 1 / (1 - rate); in inference, passes the input
/// through. As keras.layers.SpatialDropout2D (channels_last).
///
///     SpatialDropout2D(0.2);  SpatialDropout2D(0.5, {.seed = 3});
/// - Input shape: (batch, height, width, channels). Output shape: the input's.
/// .

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/dropout.hpp"

namespace strata {
inline namespace layers {

class SpatialDropout2D : public LayerOf<SpatialDropout2D> {
 public:
  /// options: seed (this layer's own generator; without it strata's seeded one), name and
  /// input_shape.
  explicit SpatialDropout2D(double rate, DropoutOptions options = {});

  std::string class_name() const override { return "SpatialDropout2D"; }
  nlohmann::json get_config() const override;
  /// Rebuilds a SpatialDropout2D from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  /// The fraction of the input dropped in training.
  double rate() const { return rate_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  std::uint64_t next_seed();

  double rate_;
  DropoutOptions options_;
  std::optional<std::mt19937_64> own_rng_;
};

}  // namespace layers
}  // namespace strata
