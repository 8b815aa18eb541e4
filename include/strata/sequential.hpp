#pragma once
/// @class strata::Sequential
/// Sequential: a plain stack of layers, as keras.Sequential.
///
///     Sequential model({Input({28, 28}), Flatten(), Dense(128, "relu"), Dense(10, "softmax")});
///     Sequential model({Flatten({.input_shape = {28, 28}}), Dense(10)});   // Keras's legacy form
///
/// A layer written in place (`Dense(10)`) is moved into the model; a named layer object is
/// referenced (the model then calls that very object, which must outlive the model), and a
/// `std::shared_ptr` is shared.

#include <concepts>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "strata/layer.hpp"
#include "strata/model.hpp"

namespace strata {

/// One element of a Sequential: a layer (moved, referenced or shared) or an `Input(...)` tensor.
class SequentialItem {
 public:
  /// A layer: a temporary (`Dense(10)`) is moved in and owned; a named one is referenced and must outlive the model.
  template <class T>
  requires std::derived_from<std::remove_cvref_t<T>, Layer> SequentialItem(T&& layer) {
    if constexpr (std::is_lvalue_reference_v<T>) {
      layer_ = layer.weak_from_this().lock();
      // A layer the caller owns: referenced, not owned.
      if (!layer_) layer_ = std::shared_ptr<Layer>(std::shared_ptr<Layer>(), &layer);
    } else {
      layer_ = std::make_shared<std::remove_cvref_t<T>>(std::move(layer));
    }
  }
  /// A layer the caller shares.
  SequentialItem(std::shared_ptr<Layer> layer) : layer_(std::move(layer)) {}
  /// The input tensor `Input(...)` returned: Keras turns it back into its InputLayer.
  SequentialItem(const Tensor& input);

  /// The layer this item holds.
  const std::shared_ptr<Layer>& layer() const { return layer_; }

 private:
  std::shared_ptr<Layer> layer_;
};

class Sequential : public Model {
 public:
  /// An Input (or a first layer given `input_shape`) builds the model at once; otherwise it
  /// builds on the first data.
  Sequential(std::initializer_list<SequentialItem> layers = {}, std::string name = {});
  /// A Sequential model from a vector of layers, as the initializer-list form.
  explicit Sequential(const std::vector<SequentialItem>& layers, std::string name = {});

  std::string class_name() const override { return "Sequential"; }

  /// Appends a layer (an Input only first); rebuilds when the model has an input shape.
  void add(SequentialItem layer);
  /// Removes and returns the last layer.
  std::shared_ptr<Layer> pop();

  std::vector<Layer*> layers() const override;
  bool built() const override;

  /// Keras's Sequential config: the layers (an InputLayer first once the input shape is
  /// known) and build_input_shape.
  nlohmann::json get_config() const override;
  /// Rebuilds a Sequential model from its config, as Keras's Sequential.from_config.
  static std::shared_ptr<Layer> from_config(const nlohmann::json& config);

 protected:
  Tensor call(const Tensor& x, bool training) override;
  /// The Input's dtype when the model has one.
  DType declared_input_dtype(std::size_t index) const override;

 private:
  void rebuild();
  std::shared_ptr<Layer> input_layer_;  // InputLayer when given
  std::vector<std::shared_ptr<Layer>> layers_;
  std::optional<Shape> input_shape_;
};

}  // namespace strata
