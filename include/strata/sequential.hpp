#pragma once
/// Sequential: a plain stack of layers, as keras.Sequential.
///
///   Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dense(10, "softmax")});

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "strata/handle.hpp"
#include "strata/layer.hpp"
#include "strata/model.hpp"

namespace strata {

class Sequential : public Model {
 public:
  /// An InputLayer first builds the model at once; otherwise it builds on the first data.
  Sequential(std::initializer_list<Handle<Layer>> layers = {}, std::string name = {});
  explicit Sequential(const std::vector<Handle<Layer>>& layers, std::string name = {});

  /// Appends a layer (an InputLayer only as the first); rebuilds when the model has an input shape.
  void add(Handle<Layer> layer);
  /// Removes and returns the last layer.
  std::shared_ptr<Layer> pop();

  std::vector<Layer*> layers() const override;
  bool built() const override;
  void build(const Shape& input_shape) override;
  Shape input_shape() const override;
  Shape output_shape() const override;

 protected:
  Tensor forward(const Tensor& x, bool training) override;
  void backward(const Tensor& grad_output) override;

 private:
  void rebuild();
  std::shared_ptr<Layer> input_layer_;  // InputLayer when given
  std::vector<std::shared_ptr<Layer>> layers_;
  std::optional<Shape> input_shape_;
};

}  // namespace strata
