#include "strata/layers/input_layer.hpp"

#include <nlohmann/json.hpp>

#include "api/engine/graph_node.hpp"
#include "layers/layer_args.hpp"
#include "strata/error.hpp"

namespace strata {
inline namespace layers {

InputLayer::InputLayer(Shape shape, std::string name, DType dtype)
    : LayerOf<InputLayer>("input_layer", std::move(name)), dtype_(dtype) {
  STRATA_CHECK(dtype == DType::F32 || dtype == DType::I32, ValueError,
               "An Input's dtype must be float32 or int32, not ", dtype_name(dtype),
               " (mixed precision computes in bfloat16 from float32 data)");
  std::vector<std::int64_t> dims{kNone};
  for (auto d : shape.dims()) {
    // Keras's words for a negative size; the shape is spelled out, as Shape prints -1 as None.
    STRATA_CHECK(d >= 0, ValueError, "Cannot convert '", detail::tuple_text(shape.dims()),
                 "' to a shape. Negative dimensions are not allowed.");
    // Keras accepts an axis of size 0; Strata refuses it, since no backend op is defined on
    // tensors without data.
    STRATA_CHECK(d > 0, ValueError, "Input shape ", shape.to_string(),
                 " has an axis of size 0; every axis of an Input must hold at least one value");
    dims.push_back(d);
  }
  shape_ = Shape(dims);
  input_spec_.ndim = shape_.rank();
  for (std::size_t axis = 1; axis < shape_.rank(); ++axis)
    input_spec_.axes.emplace_back(static_cast<std::int64_t>(axis), shape_[static_cast<std::int64_t>(axis)]);
}

nlohmann::json InputLayer::get_config() const {
  nlohmann::json shape = nlohmann::json::array();
  for (auto d : shape_.dims()) shape.push_back(d < 0 ? nlohmann::json(nullptr) : nlohmann::json(d));
  return {{"batch_shape", shape}, {"dtype", dtype_name(dtype_)}, {"sparse", false}, {"ragged", false}, {"name", name()},
          {"optional", false}};
}

std::shared_ptr<Layer> InputLayer::from_config(const nlohmann::json& config) {
  // Keras 2 wrote batch_input_shape; Keras 3 writes batch_shape.
  const auto& shape_json = config.contains("batch_shape") ? config["batch_shape"] : config.at("batch_input_shape");
  std::vector<std::int64_t> dims;
  for (std::size_t i = 1; i < shape_json.size(); ++i) dims.push_back(shape_json[i].get<std::int64_t>());
  // Keras writes the dtype as a name; an older file may have none (float32) or a policy object.
  DType dtype = DType::F32;
  if (const auto it = config.find("dtype"); it != config.end() && !it->is_null()) {
    const nlohmann::json& name = it->is_object() ? it->at("config").at("name") : *it;
    dtype = dtype_from_name(name.get<std::string>());
  }
  return std::make_shared<InputLayer>(Shape(dims), config.value("name", ""), dtype);
}

Tensor InputLayer::forward(const Tensor& x, bool) { return x; }
Tensor InputLayer::backward_impl(const Tensor& dy, bool) { return dy; }

Tensor Input(std::initializer_list<std::int64_t> shape, InputOptions options) {
  return Input(Shape(shape), std::move(options));
}

Tensor Input(const Shape& shape, InputOptions options) {
  auto layer = std::make_shared<InputLayer>(shape, std::move(options.name), dtype_from_name(options.dtype));
  layer->build(layer->batch_shape());
  return layer->symbolic_output();
}

Tensor InputLayer::symbolic_output() {
  auto node = std::make_shared<detail::GraphNode>();
  node->output_shape = batch_shape();
  node->output_dtype = dtype_;
  node->layer = shared_from_this();
  set_last_node(node);
  return Tensor::symbolic(batch_shape(), std::move(node), 0, dtype_);
}

std::shared_ptr<InputLayer> input_layer_of(const Tensor& tensor) {
  if (!tensor.node() || !tensor.node()->inputs.empty()) return nullptr;
  return std::dynamic_pointer_cast<InputLayer>(tensor.node()->layer);
}

}  // namespace layers
}  // namespace strata
