#pragma once
/// InputLayer: declares the shape of a model's input, as keras.Input / keras.layers.InputLayer.
/// It has no weights and passes data through.
///
///   Sequential model({Input({28, 28}), Flatten(), Dense(10)});

#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class InputLayer : public Layer {
 public:
  /// `shape` excludes the batch axis, as in Keras.
  explicit InputLayer(Shape shape, std::string name = {});

  std::string class_name() const override { return "InputLayer"; }
  /// The full input shape, batch axis None: Keras's batch_shape.
  Shape batch_shape() const { return shape_.with_batch(kNone); }
  nlohmann::json get_config() const override;
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Shape shape_;  // batch axis first, as (None, ...)
};

/// keras.Input(shape): the first element of a Sequential model.
InputLayer Input(std::initializer_list<std::int64_t> shape, std::string name = {});
InputLayer Input(const Shape& shape, std::string name = {});

}  // namespace layers
}  // namespace strata
