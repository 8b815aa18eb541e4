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
      out += detail::concat(input.node()->layer->name(), '[', input.node()->node_index, "][", input.output_index(),
                            ']');
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

}  // namespace

void Model::summary(std::ostream& out) const {
  std::vector<detail::SummaryRow> rows;
  detail::SummaryTotals totals;
  for (Layer* layer : layers()) {
    detail::SummaryRow row{layer->name(), layer->class_name(), output_shape_text(graph_.get(), layer), std::nullopt,
                           graph_ ? connections(*graph_, layer) : std::string()};
    if (layer->built()) row.params = layer->count_params();
    rows.push_back(std::move(row));
  }
  for (const Variable* v : const_cast<Model*>(this)->trainable_weights()) totals.trainable.params += v->value.size();
  for (const Variable* v : const_cast<Model*>(this)->non_trainable_weights())
    totals.non_trainable.params += v->value.size();
  totals.trainable = detail::SummaryCount::f32(totals.trainable.params);
  totals.non_trainable = detail::SummaryCount::f32(totals.non_trainable.params);
  if (optimizer_ && optimizer_->built()) {
    std::int64_t params = 0;
    for (const Variable* v : optimizer_->variables()) params += v->value.size();
    totals.optimizer = detail::SummaryCount::f32(params);
  }
  // Keras draws Sequential and subclassed models with three columns, graph models with four.
  out << detail::render_summary(name(), rows, totals, graph_ == nullptr);
}

}  // namespace strata
