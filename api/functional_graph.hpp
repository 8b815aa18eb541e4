#pragma once
// A Functional model's graph: the nodes between its symbolic inputs and outputs in Keras's
// order (map_graph in keras/src/ops/function.py: depth from the outputs, deepest first, ties
// in the order the walk met the layers), checked for disconnection and duplicate names, and
// run node by node on concrete or symbolic tensors.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "api/engine/graph_node.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

struct FunctionalGraph {
  /// Maps the graph between `inputs` and `outputs`; throws ValueError in Keras's words for a
  /// disconnected output, an input given twice, or two layers with one name.
  FunctionalGraph(std::vector<Tensor> inputs, std::vector<Tensor> outputs, const std::string& model_name);

  struct Step {
    const GraphNode* node = nullptr;
    std::vector<int> input_ids;  // value slots of its inputs
    int output_id = 0;
  };

  std::vector<Tensor> inputs, outputs;
  std::vector<Step> steps;                              // the nodes to run, in an order where inputs come first
  std::vector<int> input_ids;                           // value slots of the model inputs
  std::vector<int> output_ids;                          // value slots of the model outputs
  std::vector<Layer*> layers;                           // Keras's model.layers order, input layers included
  std::vector<std::shared_ptr<const GraphNode>> nodes;  // every node (they own the layers)
  int value_count = 0;

  /// Runs every step on `values` (the model inputs), leaving the outputs in `out`.
  void run(std::span<const Tensor> values, bool training, std::vector<Tensor>& out);

 private:
  std::vector<Tensor> values_;  // one per node output, reused between runs
  std::vector<Tensor> args_;
};

/// "KerasTensor(shape=(None, 4), name=meta)"-style text for error messages.
std::string describe_symbolic(const Tensor& tensor);

}  // namespace strata::detail
