#pragma once
/// @class strata::layers::Reshape
/// Reshape: (batch, ...) -> (batch, *target_shape), as keras.layers.Reshape. One axis of
/// target_shape may be -1 and is inferred. No copy.
///
///     Reshape({7, 112});

#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class Reshape : public LayerOf<Reshape> {
 public:
  /// `target_shape` excludes the batch axis.
  explicit Reshape(Shape target_shape, LayerOptions options = {});

  std::string class_name() const override { return "Reshape"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  nlohmann::json get_config() const override;
  /// Rebuilds a Reshape from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  /// A reshape computes nothing: it passes any dtype through.
  bool computes_in(DType) const override { return true; }
  void build_weights(const Shape& input_shape) override;
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Shape target_shape_;
};

}  // namespace layers
}  // namespace strata
