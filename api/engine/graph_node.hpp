#pragma once
// A node of a Functional graph: one symbolic call of a layer, as Keras's Node. A symbolic
// Tensor points at the node that produced it, so the graph is the web of these nodes reached
// from a model's outputs.

#include <memory>
#include <vector>

#include "strata/layer.hpp"
#include "strata/shape.hpp"
#include "strata/tensor.hpp"

namespace strata::detail {

struct GraphNode {
  std::shared_ptr<Layer> layer;  // owns a layer moved into the graph; aliases a named one
  std::vector<Tensor> inputs;    // symbolic; empty for an InputLayer's node
  Shape output_shape;            // batch axis None
  DType output_dtype = DType::F32;
  std::shared_ptr<const Tensor> output_mask;  // symbolic; null when the output carries no mask
  int node_index = 0;                         // which of the layer's calls this is (Keras's node index)
};

}  // namespace strata::detail
