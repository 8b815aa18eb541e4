#include "strata/sequential.hpp"

#include "strata/error.hpp"
#include "strata/layers/input_layer.hpp"

namespace strata {

Sequential::Sequential(std::initializer_list<Handle<Layer>> layers, std::string name)
    : Sequential(std::vector<Handle<Layer>>(layers), std::move(name)) {}

Sequential::Sequential(const std::vector<Handle<Layer>>& layers, std::string name)
    : Model(name.empty() ? unique_layer_name("sequential") : std::move(name)) {
  for (const auto& layer : layers) add(layer);
}

void Sequential::add(Handle<Layer> layer) {
  if (auto input = std::dynamic_pointer_cast<InputLayer>(layer.get())) {
    STRATA_CHECK(!input_layer_ && layers_.empty(), ValueError,
                 "Sequential model \"", name(), "\" can only take an Input as its first layer; received ",
                 input->name(), " after ", layers_.size(), " layer(s)");
    input_layer_ = input;
    input_shape_ = input->batch_shape();
    rebuild();
    return;
  }
  for (const auto& existing : layers_)
    STRATA_CHECK(existing->name() != layer->name() && existing.get() != layer.get().get(), ValueError,
                 "All layers added to a Sequential model should have unique names. Name '", layer->name(),
                 "' is already the name of a layer in this model. Update the `name` argument to pass a unique name.");
  layers_.push_back(layer.get());
  rebuild();
}

std::shared_ptr<Layer> Sequential::pop() {
  STRATA_CHECK(!layers_.empty(), ValueError, "There are no layers in the model \"", name(), "\".");
  auto last = layers_.back();
  layers_.pop_back();
  return last;
}

void Sequential::rebuild() {
  if (input_shape_) build(*input_shape_);
}

std::vector<Layer*> Sequential::layers() const {
  std::vector<Layer*> out;
  for (const auto& layer : layers_) out.push_back(layer.get());
  return out;
}

bool Sequential::built() const {
  if (!input_shape_) return false;
  for (const auto& layer : layers_)
    if (!layer->built()) return false;
  return true;
}

void Sequential::build(const Shape& input_shape) {
  Shape shape = input_shape.with_batch(kNone);
  if (input_layer_) input_layer_->build(shape);
  input_shape_ = shape;
  for (const auto& layer : layers_) {
    layer->build(shape);
    shape = layer->compute_output_shape(shape);
  }
}

Shape Sequential::input_shape() const {
  STRATA_CHECK(input_shape_.has_value(), StateError, "Sequential model \"", name(),
               "\" has no input shape yet: give it an Input first or call fit/build.");
  return *input_shape_;
}

Shape Sequential::output_shape() const {
  Shape shape = input_shape();
  for (const auto& layer : layers_) shape = layer->compute_output_shape(shape);
  return shape;
}

Tensor Sequential::forward(const Tensor& x, bool training) {
  Tensor h = x;
  for (const auto& layer : layers_) h = layer->call(h, training);
  return h;
}

void Sequential::backward(const Tensor& grad_output) {
  // Layers before the first one with trainable weights need no input gradient: skipping it
  // saves the first Dense its largest matmul.
  std::size_t first_trainable = layers_.size();
  for (std::size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i]->has_trainable_weights()) {
      first_trainable = i;
      break;
    }
  Tensor grad = grad_output;
  for (std::size_t i = layers_.size(); i-- > first_trainable;) grad = layers_[i]->backward(grad, i > first_trainable);
}

}  // namespace strata
