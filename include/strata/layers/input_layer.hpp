#pragma once
/// @class strata::layers::InputLayer
/// InputLayer: declares the shape of a model's input, as keras.Input / keras.layers.InputLayer.
/// It has no weights and passes data through. `Input(...)` makes one and returns its symbolic
/// output tensor, the start of a Functional graph or the first element of a Sequential.
///
///     Sequential model({Input({28, 28}), Flatten(), Dense(10)});
///     auto image = Input({28, 28, 1}, {.name = "image"});

#include <string>

#include "strata/layer.hpp"

namespace strata {
inline namespace layers {

class InputLayer : public LayerOf<InputLayer> {
 public:
  /// `shape` excludes the batch axis, as in Keras; `dtype` is the data's (float32, or int32 for
  /// an Embedding's indices).
  explicit InputLayer(Shape shape, std::string name = {}, DType dtype = DType::F32);

  std::string class_name() const override { return "InputLayer"; }
  /// The full input shape, batch axis None: Keras's batch_shape.
  Shape batch_shape() const { return shape_.with_batch(kNone); }
  /// A new symbolic tensor of batch_shape() made by this layer (what Input returns); the layer
  /// must be owned by a std::shared_ptr.
  Tensor symbolic_output();
  /// The dtype of the data the input takes.
  DType dtype() const { return dtype_; }
  /// The input's data passes through whatever its dtype.
  bool takes_integer_inputs() const override { return true; }
  nlohmann::json get_config() const override;
  /// Rebuilds a InputLayer from the config get_config() wrote (Keras's from_config).
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  Tensor backward_impl(const Tensor& dy, bool need_input_grad) override;

 private:
  Shape shape_;  // batch axis first, as (None, ...)
  DType dtype_;
};

/// The options of Input beyond its positional arguments, with Keras's defaults.
struct InputOptions {
  /// The layer's name; empty: Keras's automatic one (the snake_case class name, then _1, _2, ...).
  std::string name = {};
  /// Keras's `dtype` of the data: "float32", or "int32" for the indices an Embedding takes
  /// (fit's float arrays are converted, whole numbers only).
  std::string dtype = "float32";
};

/// keras.Input(shape): a symbolic tensor of shape (None, *shape) made by a new InputLayer.
Tensor Input(std::initializer_list<std::int64_t> shape, InputOptions options = {});
Tensor Input(const Shape& shape, InputOptions options = {});
/// The InputLayer that made a tensor Input returned (null for any other tensor).
std::shared_ptr<InputLayer> input_layer_of(const Tensor& tensor);

}  // namespace layers
}  // namespace strata
