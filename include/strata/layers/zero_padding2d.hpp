#pragma once
/// ZeroPadding2D: adds rows and columns of zeros around each image, as
/// keras.layers.ZeroPadding2D (channels_last).
///
/// Args: padding: one int for all four sides, {h, w} (symmetric) or {{top, bottom}, {left, right}}.
/// Input shape: (batch, height, width, channels) -> (batch, top + height + bottom, left + width + right, channels).
///
///   ZeroPadding2D();  ZeroPadding2D({1, 2});  ZeroPadding2D({{1, 0}, {0, 1}}, {.name = "pad"});

#include <memory>
#include <string>

#include "strata/layer.hpp"
#include "strata/layers/sides2.hpp"

namespace strata {
inline namespace layers {

struct ZeroPadding2DOptions {
  std::string name = {};
  Shape input_shape = {};
};

class ZeroPadding2D : public LayerOf<ZeroPadding2D> {
 public:
  explicit ZeroPadding2D(Sides2 padding = 1, ZeroPadding2DOptions options = {});

  std::string class_name() const override { return "ZeroPadding2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);
  const Sides2& padding() const { return padding_; }

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Sides2 padding_;
};

}  // namespace layers
}  // namespace strata
