#include "api/functional_graph.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "strata/error.hpp"
#include "strata/layer.hpp"

namespace strata::detail {

std::string describe_symbolic(const Tensor& tensor) {
  const std::string name = tensor.node() ? tensor.node()->layer->name() : std::string("?");
  return concat("<KerasTensor shape=", tensor.shape().to_string(), ", dtype=float32, name=", name, ">");
}

namespace {

struct GraphMap {
  std::vector<const GraphNode*> post_order;  // Keras's nodes_in_decreasing_depth
  std::map<const Layer*, int> layer_index;   // first visit order (operation_indices)
  std::set<const GraphNode*> finished, in_progress;
  std::vector<std::shared_ptr<const GraphNode>> owned;
};

bool is_model_input(const GraphNode* node, const std::vector<Tensor>& inputs) {
  for (const Tensor& input : inputs)
    if (input.node().get() == node) return true;
  return false;
}

void walk(const Tensor& tensor, const std::vector<Tensor>& inputs, GraphMap& map) {
  const GraphNode* node = tensor.node().get();
  if (map.finished.count(node)) return;
  STRATA_CHECK(!map.in_progress.count(node), ValueError, "Tensor ", describe_symbolic(tensor), " from layer '",
               node->layer->name(), "' is part of a cycle.");
  map.layer_index.emplace(node->layer.get(), static_cast<int>(map.layer_index.size()));
  map.in_progress.insert(node);
  if (!is_model_input(node, inputs))
    for (const Tensor& input : node->inputs) walk(input, inputs, map);
  map.finished.insert(node);
  map.in_progress.erase(node);
  map.post_order.push_back(node);
  map.owned.push_back(tensor.node());
}

}  // namespace

FunctionalGraph::FunctionalGraph(std::vector<Tensor> model_inputs, std::vector<Tensor> model_outputs,
                                 const std::string& model_name)
    : inputs(std::move(model_inputs)), outputs(std::move(model_outputs)) {
  STRATA_CHECK(!inputs.empty() && !outputs.empty(), ValueError, "A Functional model needs at least one input and ",
               "one output; model \"", model_name, "\" received ", inputs.size(), " and ", outputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    STRATA_CHECK(inputs[i].symbolic() && inputs[i].node(), ValueError, "Model \"", model_name, "\": input ", i,
                 " is not a symbolic tensor; the inputs of a Functional model come from Input(...).");
    for (std::size_t j = 0; j < i; ++j)
      STRATA_CHECK(inputs[j].node() != inputs[i].node(), ValueError, "Model \"", model_name, "\": the input tensor ",
                   describe_symbolic(inputs[i]), " is given twice (positions ", j, " and ", i,
                   "); every input of a model must be a distinct tensor.");
  }
  for (std::size_t i = 0; i < outputs.size(); ++i)
    STRATA_CHECK(outputs[i].symbolic() && outputs[i].node(), ValueError, "Model \"", model_name, "\": output ", i,
                 " is not a symbolic tensor made by calling layers on the model's inputs.");

  GraphMap map;
  for (const Tensor& output : outputs) walk(output, inputs, map);

  // Depths as Keras's map_graph: an output node has depth 0, a node's parents at least one more,
  // and a layer called at several depths takes the deepest.
  std::map<const GraphNode*, int> node_depth;
  std::map<const Layer*, int> layer_depth;
  for (auto it = map.post_order.rbegin(); it != map.post_order.rend(); ++it) {
    const GraphNode* node = *it;
    int depth = node_depth[node];
    depth = std::max(depth, layer_depth[node->layer.get()]);
    layer_depth[node->layer.get()] = depth;
    node_depth[node] = depth;
    if (is_model_input(node, inputs)) continue;
    for (const Tensor& input : node->inputs) {
      int& parent = node_depth[input.node().get()];
      parent = std::max(parent, depth + 1);
    }
  }
  for (const Tensor& input : inputs) {
    const Layer* layer = input.node()->layer.get();
    if (!layer_depth.count(layer)) {
      layer_depth[layer] = 0;
      map.layer_index[layer] = -1;
      node_depth[input.node().get()] = 0;
    }
  }
  int max_depth = 0;
  for (const auto& [node, depth] : node_depth) max_depth = std::max(max_depth, depth);

  // The layers, deepest first, ties by first visit.
  for (int depth = max_depth; depth >= 0; --depth) {
    std::vector<Layer*> at_depth;
    for (const auto& [layer, d] : layer_depth)
      if (d == depth) at_depth.push_back(const_cast<Layer*>(layer));
    std::sort(at_depth.begin(), at_depth.end(),
              [&](const Layer* a, const Layer* b) { return map.layer_index[a] < map.layer_index[b]; });
    layers.insert(layers.end(), at_depth.begin(), at_depth.end());
  }

  // Nodes deepest first; every input must be computable from the model inputs.
  std::map<const GraphNode*, int> slot;
  for (const Tensor& input : inputs) {
    slot.emplace(input.node().get(), value_count);
    input_ids.push_back(value_count++);
  }
  std::vector<std::string> accessed;
  for (int depth = max_depth; depth >= 0; --depth) {
    for (const GraphNode* node : map.post_order) {
      if (node_depth[node] != depth || is_model_input(node, inputs)) continue;
      if (node->inputs.empty()) continue;  // an Input the model was not given: its consumers fail below
      Step step;
      step.node = node;
      for (const Tensor& input : node->inputs) {
        auto found = slot.find(input.node().get());
        if (found == slot.end()) {
          std::string previous;
          for (const auto& name : accessed) previous += (previous.empty() ? "'" : ", '") + name + "'";
          throw ValueError(concat("Graph disconnected: cannot find parent for tensor ", describe_symbolic(input),
                                  " at layer \"", node->layer->name(), "\" of model \"", model_name,
                                  "\". The following previous layers were accessed without issue: [", previous, "]"));
        }
        step.input_ids.push_back(found->second);
      }
      accessed.push_back(node->layer->name());
      step.output_id = value_count++;
      slot.emplace(node, step.output_id);
      steps.push_back(std::move(step));
    }
  }
  for (const Tensor& output : outputs) output_ids.push_back(slot.at(output.node().get()));

  nodes = std::move(map.owned);
  for (const Tensor& input : inputs)
    if (!map.finished.count(input.node().get())) nodes.push_back(input.node());

  std::map<std::string, int> names;
  for (const Layer* layer : layers) ++names[layer->name()];
  for (const auto& [name, count] : names)
    STRATA_CHECK(count == 1, ValueError, "The name \"", name, "\" is used ", count,
                 " times in the model. All operation names should be unique.");
  values_.resize(static_cast<std::size_t>(value_count));
}

void FunctionalGraph::run(std::span<const Tensor> values, bool training, std::vector<Tensor>& out) {
  for (std::size_t i = 0; i < input_ids.size(); ++i) values_[input_ids[i]] = values[i];
  for (const Step& step : steps) {
    args_.clear();
    for (int id : step.input_ids) args_.push_back(values_[id]);
    values_[step.output_id] = (*step.node->layer)(std::span<const Tensor>(args_), training);
  }
  for (int id : output_ids) out.push_back(values_[id]);
}

}  // namespace strata::detail
