// Model configs in Keras 3's schema (keras.md §4.2): get_config and from_config of Sequential,
// Functional and subclassed models, the serialized-object wrapper every layer gets inside
// them, and to_json / model_from_json. Keras's readers are followed where they are lenient:
// the Keras 2 spellings (dtype as a string, batch_input_shape, the [[name, node, tensor, {}]]
// node form) and extra keys such as shared_object_id are accepted.

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "api/functional_graph.hpp"
#include "api/keras_object.hpp"
#include "api/registry.hpp"
#include "api/saving/model_serialization.hpp"
#include "ops/op_layer.hpp"
#include "strata/error.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/model.hpp"
#include "strata/saving.hpp"
#include "strata/sequential.hpp"

namespace strata {

namespace detail {

namespace {

nlohmann::json shape_json(const Shape& shape) {
  nlohmann::json out = nlohmann::json::array();
  for (auto d : shape.dims()) out.push_back(d < 0 ? nlohmann::json(nullptr) : nlohmann::json(d));
  return out;
}

// Keras writes build_config only for layers whose class defines build(); these do not
// (measured on Keras 3.15's files: tests/golden/saving).
constexpr std::string_view kNoBuildConfig[] = {"Activation",
                                               "AveragePooling1D",
                                               "AveragePooling2D",
                                               "Dropout",
                                               "GlobalAveragePooling1D",
                                               "GlobalAveragePooling2D",
                                               "GlobalMaxPooling2D",
                                               "InputLayer",
                                               "LeakyReLU",
                                               "MaxPooling1D",
                                               "MaxPooling2D",
                                               "ReLU",
                                               "Reshape",
                                               "Softmax",
                                               "SpatialDropout2D"};

}  // namespace

nlohmann::json serialize_layer(const Layer& layer) {
  STRATA_CHECK(dynamic_cast<const ops::impl::OpLayer*>(&layer) == nullptr, ValueError, "Layer \"", layer.name(),
               "\" is a strata::ops call (", layer.class_name(),
               "); models that use strata::ops in their graph cannot be saved in Keras's format yet. Use the "
               "equivalent layers (Add, Multiply, Activation, Reshape ...) in a model that is saved.");
  const std::string class_name = layer.class_name();
  nlohmann::json out;
  if (class_name == "Functional") {
    out = keras_object("keras.src.models.functional", class_name, layer.get_config());
    out["registered_name"] = "Functional";
    // A Functional model is built by its graph; Keras writes no shape for it.
    out["build_config"] = {{"input_shape", nullptr}};
    return out;
  }
  if (class_name == "Sequential") {
    out = keras_object("keras", class_name, layer.get_config());
  } else {
    out = serialized_object(layer_registry(), "keras.layers", class_name, layer.get_config());
  }
  for (std::string_view name : kNoBuildConfig)
    if (name == class_name) return out;
  const nlohmann::json build_config = layer.get_build_config();
  if (!build_config.is_null()) out["build_config"] = build_config;
  return out;
}

const nlohmann::json& require_key(const nlohmann::json& object, const char* key, std::string_view what) {
  STRATA_CHECK(object.is_object(), ValueError, what,
               " must be a JSON object, received: ", object.dump().substr(0, 200));
  const auto it = object.find(key);
  STRATA_CHECK(it != object.end(), ValueError, what, " has no \"", key, "\" key");
  return *it;
}

}  // namespace detail

// ---- Sequential ---------------------------------------------------------------------------

nlohmann::json Sequential::get_config() const {
  nlohmann::json layers = nlohmann::json::array();
  // As Keras: the InputLayer leads the list. A model built from data (no Input given) gets
  // the one Keras's Sequential.build inserts, so Keras rebuilds it with the same shape.
  if (input_layer_) {
    layers.push_back(detail::serialize_layer(*input_layer_));
  } else if (input_shape_) {
    const InputLayer input(input_shape_->without_batch(), "input_layer");
    layers.push_back(detail::serialize_layer(input));
  }
  for (const auto& layer : layers_) layers.push_back(detail::serialize_layer(*layer));
  nlohmann::json config = Layer::get_config();
  config["layers"] = std::move(layers);
  if (Layer::built() && !build_input_shapes().empty())
    config["build_input_shape"] = detail::shape_json(build_input_shapes()[0]);
  return config;
}

std::shared_ptr<Layer> Sequential::from_config(const nlohmann::json& config) {
  const auto& layers = detail::require_key(config, "layers", "A Sequential config");
  STRATA_CHECK(layers.is_array(), ValueError, "A Sequential config's \"layers\" must be a list");
  auto model =
      std::make_shared<Sequential>(std::initializer_list<SequentialItem>{}, config.value("name", std::string()));
  for (const auto& layer_config : layers) {
    // Keras 2 wrote no InputLayer: the first layer's config carried batch_input_shape.
    const auto* inner = layer_config.is_object() && layer_config.contains("config") ? &layer_config["config"] : nullptr;
    if (model->layers().empty() && inner != nullptr && inner->is_object() && inner->contains("batch_input_shape") &&
        layer_config.value("class_name", "") != "InputLayer")
      model->add(InputLayer::from_config({{"batch_input_shape", (*inner)["batch_input_shape"]}}));
    model->add(Layer::from_config(layer_config));
  }
  // A model saved before it was built has no InputLayer but may know its input shape.
  if (!model->Layer::built() && config.contains("build_input_shape") && config["build_input_shape"].is_array()) {
    std::vector<std::int64_t> dims;
    for (const auto& d : config["build_input_shape"]) dims.push_back(d.is_null() ? kNone : d.get<std::int64_t>());
    model->build(Shape(dims));
  }
  if (config.contains("trainable")) model->set_trainable(config["trainable"].get<bool>());
  return model;
}

// ---- Functional and subclassed models -----------------------------------------------------

namespace {

// [layer name, node index, tensor index] of a symbolic tensor, with the node index counted
// among the nodes this model holds (Keras's node reindexing: a layer also used in another
// model keeps its own numbering there).
using NodeIndex = std::map<const detail::GraphNode*, int>;

nlohmann::json history_of(const Tensor& tensor, const NodeIndex& index) {
  const detail::GraphNode* node = tensor.node().get();
  return {node->layer->name(), index.at(node), tensor.output_index()};
}

nlohmann::json keras_tensor(const Tensor& tensor, const NodeIndex& index) {
  return {{"class_name", "__keras_tensor__"},
          {"config",
           {{"shape", detail::shape_json(tensor.shape())},
            {"dtype", dtype_name(tensor.dtype())},
            {"keras_history", history_of(tensor, index)}}}};
}

}  // namespace

nlohmann::json Model::get_config() const {
  nlohmann::json config = Layer::get_config();
  if (!graph_) return config;  // a subclass: its own get_config adds its arguments
  config.erase("dtype");       // Keras's Functional config has none

  NodeIndex index;
  std::map<const Layer*, int> next;
  std::map<const Layer*, std::vector<const detail::GraphNode*>> nodes_of;
  for (const auto& node : graph_->nodes) nodes_of[node->layer.get()].push_back(node.get());
  for (auto& [layer, nodes] : nodes_of) {
    std::sort(nodes.begin(), nodes.end(),
              [](const detail::GraphNode* a, const detail::GraphNode* b) { return a->node_index < b->node_index; });
    for (std::size_t i = 0; i < nodes.size(); ++i) index[nodes[i]] = static_cast<int>(i);
  }

  nlohmann::json layers = nlohmann::json::array();
  for (const Layer* layer : graph_->layers) {
    nlohmann::json entry = detail::serialize_layer(*layer);
    entry["name"] = layer->name();
    nlohmann::json inbound = nlohmann::json::array();
    for (const detail::GraphNode* node : nodes_of[layer]) {
      if (node->inputs.empty()) continue;  // an InputLayer's own node
      // Positional inputs as one list (merge layers) or as separate arguments; keyword inputs
      // by name (Layer::call_keywords).
      const std::vector<std::string> keywords = layer->call_keywords(node->inputs.size());
      nlohmann::json positional = nlohmann::json::array();
      nlohmann::json kwargs = layer->call_arguments();
      for (std::size_t i = 0; i < node->inputs.size(); ++i) {
        const nlohmann::json tensor = keras_tensor(node->inputs[i], index);
        const std::string& keyword = keywords[i];
        if (keyword.empty())
          positional.push_back(tensor);
        else if (keyword.ends_with("[]"))
          kwargs[keyword.substr(0, keyword.size() - 2)].push_back(tensor);
        else
          kwargs[keyword] = tensor;
      }
      const nlohmann::json args = positional.size() == 1 || layer->positional_inputs_separate()
                                      ? positional
                                      : nlohmann::json::array({positional});
      inbound.push_back({{"args", args}, {"kwargs", kwargs}});
    }
    entry["inbound_nodes"] = inbound;
    layers.push_back(std::move(entry));
  }
  config["layers"] = layers;

  // Keras mirrors the structure the model was made with: one tensor gives a flat triple, a
  // list a list of triples, the name-map form a dict.
  const auto ends = [&](const std::vector<Tensor>& tensors, const std::vector<std::string>& keys) {
    if (!keys.empty()) {
      nlohmann::json out = nlohmann::json::object();
      for (std::size_t i = 0; i < tensors.size(); ++i) out[keys[i]] = history_of(tensors[i], index);
      return out;
    }
    if (tensors.size() == 1) return history_of(tensors[0], index);
    nlohmann::json out = nlohmann::json::array();
    for (const Tensor& t : tensors) out.push_back(history_of(t, index));
    return out;
  };
  config["input_layers"] = ends(graph_->inputs, input_keys_);
  config["output_layers"] = ends(graph_->outputs, output_keys_);
  return config;
}

namespace {

// Rebuilds a Functional model: layers made from their configs, then their nodes called on
// the tensors named by keras_history, as keras/src/models/functional.py:functional_from_config
// does, in passes until every node ran (a node may name a layer listed after it).
class FunctionalBuilder {
 public:
  explicit FunctionalBuilder(const nlohmann::json& config) : config_(config) {}

  std::shared_ptr<Layer> build() {
    const auto& layers = detail::require_key(config_, "layers", "A Functional config");
    STRATA_CHECK(layers.is_array(), ValueError, "A Functional config's \"layers\" must be a list");
    const std::set<std::string> mask_ops = mask_only_layers(layers);
    for (const auto& entry : layers)
      if (!mask_ops.contains(entry_name(entry))) add_layer(entry);
    run_nodes();
    std::vector<Tensor> inputs, outputs;
    std::vector<std::string> input_keys, output_keys;
    collect(detail::require_key(config_, "input_layers", "A Functional config"), inputs, input_keys);
    collect(detail::require_key(config_, "output_layers", "A Functional config"), outputs, output_keys);
    const std::string name = config_.value("name", std::string());
    std::shared_ptr<Model> model;
    if (!input_keys.empty() || !output_keys.empty()) {
      Model::NamedTensors named_in, named_out;
      for (std::size_t i = 0; i < inputs.size(); ++i)
        named_in.emplace_back(input_keys.empty() ? inputs[i].node()->layer->name() : input_keys[i], inputs[i]);
      for (std::size_t i = 0; i < outputs.size(); ++i)
        named_out.emplace_back(output_keys.empty() ? outputs[i].node()->layer->name() : output_keys[i], outputs[i]);
      model = std::make_shared<Model>(std::move(named_in), std::move(named_out), name);
    } else {
      model = std::make_shared<Model>(std::move(inputs), std::move(outputs), name);
    }
    if (config_.contains("trainable")) model->set_trainable(config_["trainable"].get<bool>());
    return model;
  }

 private:
  struct Pending {
    std::shared_ptr<Layer> layer;
    std::vector<nlohmann::json> nodes;  // inbound nodes not yet run, in order
    int done = 0;
  };

  // A layer entry's name: its own key (Keras 3), else its config's.
  static std::string entry_name(const nlohmann::json& entry) {
    if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
      return entry["name"].get<std::string>();
    const auto& inner = detail::require_key(entry, "config", "A layer entry of a Functional config");
    return inner.is_object() ? inner.value("name", std::string()) : std::string();
  }

  // The names of the layers in keras_history triples found in `value` (nested lists and dicts).
  static void history_sources(const nlohmann::json& value, std::vector<std::string>& out) {
    if (value.is_array()) {
      for (const auto& v : value) history_sources(v, out);
    } else if (value.is_object()) {
      if (value.value("class_name", "") == "__keras_tensor__" && value.contains("config") &&
          value["config"].is_object() && value["config"].contains("keras_history")) {
        const auto& h = value["config"]["keras_history"];
        if (h.is_array() && !h.empty() && h[0].is_string()) out.push_back(h[0].get<std::string>());
        return;
      }
      for (const auto& [key, v] : value.items()) history_sources(v, out);
    }
  }

  // The layers that only compute masks. Keras 3 records the ops that derive a mask (NotEqual,
  // Any, LogicalOr, ...) as nodes of the graph and hands the result to the layers that read a
  // mask as a `mask` keyword argument. Strata's layers derive the same masks themselves as the
  // tensors flow (Layer::compute_mask), so those ops are left out: a layer is mask-only when
  // no output and no node's positional arguments reach it, only `mask` arguments.
  std::set<std::string> mask_only_layers(const nlohmann::json& layers) const {
    std::map<std::string, std::vector<std::string>> data_sources, mask_sources;
    for (const auto& entry : layers) {
      const std::string name = entry_name(entry);
      if (!entry.is_object() || !entry.contains("inbound_nodes") || !entry["inbound_nodes"].is_array()) continue;
      for (const auto& node : entry["inbound_nodes"]) {
        if (!node.is_object()) {
          history_sources(node, data_sources[name]);  // Keras 2's node lists carry no mask arguments
          continue;
        }
        if (node.contains("args")) history_sources(node["args"], data_sources[name]);
        if (node.contains("kwargs") && node["kwargs"].is_object())
          for (const auto& [key, value] : node["kwargs"].items())
            history_sources(value, key == "mask" ? mask_sources[name] : data_sources[name]);
      }
    }
    // Whatever the outputs reach through data arguments is needed; what the needed layers'
    // mask arguments reach, and is not needed, is a mask op.
    std::set<std::string> needed, masks;
    std::vector<std::string> todo;
    // output_layers: a triple, a list of triples, or a dict of them (as collect() reads them).
    const nlohmann::json outputs = config_.value("output_layers", nlohmann::json());
    const auto add_end = [&](const nlohmann::json& h) {
      if (h.is_array() && !h.empty() && h[0].is_string()) todo.push_back(h[0].get<std::string>());
    };
    if (outputs.is_array() && !outputs.empty() && outputs[0].is_string())
      add_end(outputs);
    else if (outputs.is_array() || outputs.is_object())
      for (const auto& h : outputs) add_end(h);
    while (!todo.empty()) {
      const std::string name = todo.back();
      todo.pop_back();
      if (!needed.insert(name).second) continue;
      for (const auto& source : data_sources[name]) todo.push_back(source);
    }
    for (const auto& name : needed)
      for (const auto& source : mask_sources[name]) todo.push_back(source);
    while (!todo.empty()) {
      const std::string name = todo.back();
      todo.pop_back();
      if (needed.contains(name) || !masks.insert(name).second) continue;
      for (const auto& source : data_sources[name]) todo.push_back(source);
    }
    return masks;
  }

  void add_layer(const nlohmann::json& entry) {
    detail::require_key(entry, "config", "A layer entry of a Functional config");  // named or not
    const std::string name = entry_name(entry);
    STRATA_CHECK(!name.empty(), ValueError, "A layer of Functional config \"", config_.value("name", ""),
                 "\" has no name");
    STRATA_CHECK(!pending_.contains(name), ValueError, "A Functional config lists two layers named '", name, "'");
    Pending p;
    p.layer = Layer::from_config(entry);
    if (auto input = std::dynamic_pointer_cast<InputLayer>(p.layer)) {
      input->build(input->batch_shape());
      outputs_[{name, 0}] = input->symbolic_output();
      p.done = 1;
    }
    if (entry.contains("inbound_nodes")) {
      const auto& nodes = entry["inbound_nodes"];
      STRATA_CHECK(nodes.is_array(), ValueError, "Layer '", name, "': \"inbound_nodes\" must be a list");
      for (const auto& node : nodes) p.nodes.push_back(node);
    }
    order_.push_back(name);
    pending_.emplace(name, std::move(p));
  }

  // The tensors a node's arguments name, or nullopt while one of them is not made yet.
  std::optional<std::vector<Tensor>> node_inputs(const nlohmann::json& node, const std::string& layer, Layer& target) {
    std::vector<nlohmann::json> histories;
    if (node.is_object()) {
      // Keras 3: {"args": [...], "kwargs": {...}}; the tensors are in args, possibly in a list.
      const auto& args = detail::require_key(node, "args", "An inbound node of layer '" + layer + "'");
      STRATA_CHECK(args.is_array(), ValueError, "Layer '", layer, "': an inbound node's \"args\" must be a list");
      const std::function<void(const nlohmann::json&)> visit = [&](const nlohmann::json& value) {
        if (value.is_array()) {
          for (const auto& v : value) visit(v);
        } else if (value.is_object() && value.value("class_name", "") == "__keras_tensor__") {
          histories.push_back(detail::require_key(detail::require_key(value, "config", "A keras tensor"),
                                                  "keras_history", "A keras tensor's config"));
        } else {
          throw ValueError(detail::concat("Layer '", layer, "' is called on a non-tensor argument (",
                                          value.dump().substr(0, 80), "), which Strata does not support"));
        }
      };
      visit(args);
      // Tensors passed by keyword (an RNN's initial_state, MultiHeadAttention's key) follow the
      // positional ones in the order the layer's call_keywords gives; `mask` arguments are
      // derived by Strata's layers themselves (see mask_only_layers).
      if (node.contains("kwargs") && node["kwargs"].is_object()) {
        const nlohmann::json& kwargs = node["kwargs"];
        const auto is_tensor = [](const nlohmann::json& v) {
          const auto one = [](const nlohmann::json& t) {
            return t.is_object() && t.value("class_name", "") == "__keras_tensor__";
          };
          return one(v) || (v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), one));
        };
        std::size_t count = histories.size();
        for (const auto& [key, value] : kwargs.items())
          if (key != "mask" && is_tensor(value)) count += value.is_array() ? value.size() : 1;
        target.set_call_arguments(kwargs);
        std::vector<std::string> order;
        for (std::string keyword : target.call_keywords(count)) {
          if (keyword.ends_with("[]")) keyword.resize(keyword.size() - 2);
          if (!keyword.empty() && std::find(order.begin(), order.end(), keyword) == order.end())
            order.push_back(keyword);
        }
        for (const auto& [key, value] : kwargs.items())
          STRATA_CHECK(key == "mask" || !is_tensor(value) || std::find(order.begin(), order.end(), key) != order.end(),
                       ValueError, "Layer '", layer, "' is called with the tensor argument `", key,
                       "`, which Strata's ", target.class_name(), " does not take");
        for (const std::string& keyword : order)
          if (kwargs.contains(keyword)) visit(kwargs[keyword]);
      }
    } else if (node.is_array()) {
      // Keras 2: [[layer_name, node_index, tensor_index, kwargs], ...].
      for (const auto& entry : node) histories.push_back(entry);
    } else {
      throw ValueError(detail::concat("Layer '", layer, "' has a malformed inbound node: ", node.dump().substr(0, 80)));
    }
    std::vector<Tensor> out;
    for (const auto& h : histories) {
      STRATA_CHECK(
          h.is_array() && h.size() >= 3 && h[0].is_string() && h[1].is_number_integer() && h[2].is_number_integer(),
          ValueError, "Layer '", layer,
          "': a keras_history must be [layer name, node index, tensor index], "
          "received ",
          h.dump().substr(0, 80));
      STRATA_CHECK(h[2].get<std::int64_t>() == 0, ValueError, "Layer '", layer, "' takes output ", h[2].dump(),
                   " of layer '", h[0].get<std::string>(), "', but Strata's layers have one output");
      const std::string source = h[0].get<std::string>();
      STRATA_CHECK(pending_.contains(source), ValueError, "Layer '", layer, "' takes its input from layer '", source,
                   "', which the config does not list");
      const auto it = outputs_.find({source, h[1].get<int>()});
      if (it == outputs_.end()) return std::nullopt;
      out.push_back(it->second);
    }
    STRATA_CHECK(!out.empty(), ValueError, "Layer '", layer, "' has an inbound node with no input tensor");
    return out;
  }

  void run_nodes() {
    for (bool progress = true; progress;) {
      progress = false;
      for (const std::string& name : order_) {
        Pending& p = pending_.at(name);
        while (!p.nodes.empty()) {
          auto inputs = node_inputs(p.nodes.front(), name, *p.layer);
          if (!inputs) break;
          Tensor y = inputs->size() == 1 ? (*p.layer)((*inputs)[0]) : (*p.layer)(std::span<const Tensor>(*inputs));
          outputs_[{name, p.done++}] = y;
          p.nodes.erase(p.nodes.begin());
          progress = true;
        }
      }
    }
    for (const std::string& name : order_)
      STRATA_CHECK(pending_.at(name).nodes.empty(), ValueError, "The layers of Functional config \"",
                   config_.value("name", ""), "\" do not connect: layer '", name,
                   "' needs a tensor that no layer of the config produces");
  }

  // input_layers / output_layers: a triple, a list of triples, or a dict of them.
  void collect(const nlohmann::json& ends, std::vector<Tensor>& tensors, std::vector<std::string>& keys) {
    const auto one = [&](const nlohmann::json& h) {
      STRATA_CHECK(h.is_array() && h.size() >= 2 && h[0].is_string() && h[1].is_number_integer(), ValueError,
                   "A Functional config's input or output must be [layer name, node index, tensor index], received ",
                   h.dump().substr(0, 80));
      const auto it = outputs_.find({h[0].get<std::string>(), h[1].get<int>()});
      STRATA_CHECK(it != outputs_.end(), ValueError, "A Functional config names '", h[0].get<std::string>(), "' node ",
                   h[1].dump(), " as an input or output, but no such node exists");
      tensors.push_back(it->second);
    };
    if (ends.is_object()) {
      for (const auto& [key, h] : ends.items()) {
        keys.push_back(key);
        one(h);
      }
    } else if (ends.is_array() && !ends.empty() && ends[0].is_string()) {
      one(ends);
    } else if (ends.is_array()) {
      for (const auto& h : ends) one(h);
    } else {
      throw ValueError("A Functional config's input_layers and output_layers must be lists or dicts");
    }
    STRATA_CHECK(!tensors.empty(), ValueError, "A Functional config has no inputs or no outputs");
  }

  const nlohmann::json& config_;
  std::vector<std::string> order_;
  std::map<std::string, Pending, std::less<>> pending_;
  std::map<std::pair<std::string, int>, Tensor> outputs_;
};

}  // namespace

std::shared_ptr<Layer> Model::from_config(const nlohmann::json& config) { return FunctionalBuilder(config).build(); }

// ---- JSON text ----------------------------------------------------------------------------

std::string Model::to_json(int indent) const { return detail::serialize_layer(*this).dump(indent); }

std::shared_ptr<Layer> detail::deserialize_layer(const nlohmann::json& object) {
  auto layer = Layer::from_config(object);
  const auto build = object.find("build_config");
  if (layer->built() || build == object.end() || !build->is_object() || !build->contains("input_shape")) return layer;
  const auto to_shape = [](const nlohmann::json& dims) {
    std::vector<std::int64_t> out;
    for (const auto& d : dims) out.push_back(d.is_null() ? kNone : d.get<std::int64_t>());
    return Shape(out);
  };
  const auto& shape = (*build)["input_shape"];
  if (shape.is_array() && !shape.empty() && shape[0].is_array()) {
    std::vector<Shape> shapes;
    for (const auto& s : shape) shapes.push_back(to_shape(s));
    layer->build(std::span<const Shape>(shapes));
  } else if (shape.is_array()) {
    layer->build(to_shape(shape));
  }
  return layer;
}

std::shared_ptr<Model> detail::model_from_config(const nlohmann::json& object, std::string_view source) {
  try {
    // As Keras's build_from_config: a subclassed model (or a Sequential without an Input) is
    // built for the shape it had when saved.
    auto layer = deserialize_layer(object);
    auto model = std::dynamic_pointer_cast<Model>(layer);
    STRATA_CHECK(model != nullptr, ValueError, "holds a ", layer->class_name(), " layer, not a model");
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(concat(source, ": a config value has the wrong type or is missing (", e.what(), ")"));
  } catch (const ValueError& e) {
    throw ValueError(concat(source, ": ", e.what()));
  }
}

nlohmann::json detail::parse_json(std::string_view text, std::string_view source) {
  // The parser's nesting is bounded first: deep input would recurse in dump and destruction.
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    if (c == ']' || c == '}') --depth;
  }
  STRATA_CHECK(deepest <= kMaxJsonDepth, ValueError, source, ": JSON nested ", deepest, " levels deep, more than the ",
               kMaxJsonDepth, " a model config can need");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number too large for its type.
    throw ValueError(concat(source, " is not valid JSON: ", e.what()));
  }
}

std::shared_ptr<Model> model_from_json(const std::string& json) {
  return detail::model_from_config(detail::parse_json(json, "model JSON"), "model JSON");
}

}  // namespace strata
