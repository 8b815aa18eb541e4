#pragma once
/// UpSampling2D: repeats each row size.h times and each column size.w times, as
/// keras.layers.UpSampling2D (channels_last).
///
/// Input shape: (batch, height, width, channels) -> (batch, height * size.h, width * size.w, channels).
///
///   UpSampling2D();  UpSampling2D({2, 3}, {.name = "up"});

#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/conv_args.hpp"

namespace strata {
inline namespace layers {

struct UpSampling2DOptions {
  /// Only "nearest" is supported so far; Keras's other names are refused with a ValueError.
  std::string interpolation = "nearest";
  std::string name = {};
  Shape input_shape = {};
};

class UpSampling2D : public LayerOf<UpSampling2D> {
 public:
  explicit UpSampling2D(Size2 size = 2, UpSampling2DOptions options = {});

  std::string class_name() const override { return "UpSampling2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  const Size2& size() const { return size_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Size2 size_;
};

}  // namespace layers
}  // namespace strata
