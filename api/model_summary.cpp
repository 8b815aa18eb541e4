// Model::summary: collects Keras's rows and totals; api/summary_table.cpp draws them.

#include "api/functional_graph.hpp"
#include "api/summary_table.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata {

namespace {

// "dense_2[0][0], b[0][0]": the inputs of every call of `layer` in the graph, as Keras's
// "Connected to" column names them (producing layer, node index, tensor index).
std::string connections(const detail::FunctionalGraph& graph, const Layer* layer) {
  std::string out;
  for (const auto& step : graph.steps) {
    if (step.node->layer.get() != layer) continue;
    for (const Tensor& input : step.node->inputs) {
      if (!out.empty()) out += ", ";
      out +=
          detail::concat(input.node()->layer->name(), '[', input.node()->node_index, "][", input.output_index(), ']');
    }
  }
  return out.empty() ? "-" : out;
}

// The layer's output shape in this model: its first call in the graph, else what it makes of
// the shapes it was built for.
std::string output_shape_text(const detail::FunctionalGraph* graph, Layer* layer) {
  if (graph) {
    for (const auto& node : graph->nodes)
      if (node->layer.get() == layer) return node->output_shape.to_string();
  }
  if (!layer->built() || layer->build_input_shapes().empty()) return "?";
  return layer->output_shape_for(layer->build_input_shapes()).to_string();
}

// Keras draws a graph model with three columns, as a Sequential, when it is a chain: one input,
// one output, every node with one input, no layer called twice (summary_utils.print_summary).
bool chain_like(const detail::FunctionalGraph& graph) {
  if (graph.inputs.size() != 1 || graph.outputs.size() != 1) return false;
  std::vector<int> uses(static_cast<std::size_t>(graph.value_count), 0);
  std::vector<const Layer*> seen;
  for (const auto& step : graph.steps) {
    if (step.input_ids.size() != 1 || ++uses[static_cast<std::size_t>(step.input_ids[0])] > 1) return false;
    for (const Layer* layer : seen)
      if (layer == step.node->layer.get()) return false;
    seen.push_back(step.node->layer.get());
  }
  return true;
}

}  // namespace

void Model::summary(std::ostream& out, int line_length) const {
  const_cast<Model*>(this)->settle_name();
  std::vector<detail::SummaryRow> rows;
  detail::SummaryTotals totals;
  for (Layer* layer : layers()) {
    detail::SummaryRow row{layer->name(), layer->class_name(), output_shape_text(graph_.get(), layer), std::nullopt,
                           graph_ ? connections(*graph_, layer) : std::string()};
    if (layer->built()) row.params = layer->count_params();
    rows.push_back(std::move(row));
  }
  for (const Variable* v : const_cast<Model*>(this)->trainable_weights()) totals.trainable.add(v->value);
  for (const Variable* v : const_cast<Model*>(this)->non_trainable_weights()) totals.non_trainable.add(v->value);
  if (optimizer_ && optimizer_->built()) {
    totals.optimizer.emplace();
    for (const Variable* v : optimizer_->variables()) totals.optimizer->add(v->value);
  }
  // Keras draws Sequential and subclassed models with three columns, graph models with four
  // unless they are a plain chain.
  const bool sequential_like = graph_ == nullptr || chain_like(*graph_);
  if (sequential_like)
    for (auto& row : rows) row.connected_to.clear();
  out << detail::render_summary(name(), rows, totals, sequential_like, line_length);
}

}  // namespace strata
