#include "strata/sequential.hpp"

#include "strata/error.hpp"
#include "strata/layers/input_layer.hpp"

namespace strata {

SequentialItem::SequentialItem(const Tensor& input) : layer_(input_layer_of(input)) {
  STRATA_CHECK(layer_ != nullptr, ValueError,
               "Only layers and Input(...) tensors can be added to a Sequential model; received a tensor of shape ",
               input.shape().to_string(), " that no Input made.");
}

Sequential::Sequential(std::initializer_list<SequentialItem> layers, std::string name)
    : Sequential(std::vector<SequentialItem>(layers), std::move(name)) {}

Sequential::Sequential(const std::vector<SequentialItem>& layers, std::string name)
    : Model("sequential", std::move(name)) {
  for (const auto& layer : layers) add(layer);
}

void Sequential::add(SequentialItem item) {
  const std::shared_ptr<Layer>& layer = item.layer();
  if (auto input = std::dynamic_pointer_cast<InputLayer>(layer)) {
    STRATA_CHECK(!input_layer_ && layers_.empty(), ValueError, "Sequential model \"", name(),
                 "\" can only take an Input as its first layer; received ", input->name(), " after ", layers_.size(),
                 " layer(s)");
    input_layer_ = input;
    input_shape_ = input->batch_shape();
    rebuild();
    return;
  }
  // As Keras: the same layer object may come twice (it is then shared, as a layer called twice
  // in a Functional model); two different layers may not share a name.
  for (const auto& existing : layers_)
    STRATA_CHECK(existing.get() == layer.get() || existing->name() != layer->name(), ValueError,
                 "All layers added to a Sequential model should have unique names. Name '", layer->name(),
                 "' is already the name of a layer in this model. Update the `name` argument to pass a unique name.");
  // Keras's legacy `input_shape` argument on the first layer stands for an Input.
  if (layers_.empty() && !input_shape_ && layer->input_shape_arg()) {
    std::vector<std::int64_t> dims{kNone};
    for (auto d : layer->input_shape_arg()->dims()) dims.push_back(d);
    input_shape_ = Shape(dims);
  }
  layers_.push_back(layer);
  rebuild();
}

std::shared_ptr<Layer> Sequential::pop() {
  STRATA_CHECK(!layers_.empty(), ValueError, "There are no layers in the model \"", name(), "\".");
  auto last = layers_.back();
  layers_.pop_back();
  rebuild();
  return last;
}

void Sequential::rebuild() {
  if (!input_shape_ || layers_.empty()) return;
  const Shape shape = *input_shape_;
  if (!Layer::built())
    Layer::build(shape);
  else
    trace(std::span<const Shape>(&shape, 1));
}

std::vector<Layer*> Sequential::layers() const {
  std::vector<Layer*> out;
  for (const auto& layer : layers_) out.push_back(layer.get());
  return out;
}

bool Sequential::built() const {
  if (!Layer::built()) return false;
  for (const auto& layer : layers_)
    if (!layer->built()) return false;
  return true;
}

DType Sequential::declared_input_dtype(std::size_t) const {
  const auto* input = dynamic_cast<const InputLayer*>(input_layer_.get());
  return input ? input->dtype() : DType::F32;
}

Tensor Sequential::call(const Tensor& x, bool training) {
  Tensor h = x;
  for (const auto& layer : layers_) h = (*layer)(h, training);
  return h;
}

}  // namespace strata
