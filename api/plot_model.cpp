#include "strata/plot_model.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "api/functional_graph.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"

namespace strata {

namespace {

// DOT's escapes inside a quoted string, plus the record-label characters Graphviz treats as
// structure (HTML-like labels are avoided: a plain label renders the same everywhere).
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";  // DOT's line break inside a label
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string label_for(const Layer& layer, const std::string& output_shape, const std::string& input_shapes,
                      const PlotOptions& options) {
  std::string label = options.show_layer_names ? layer.name() + " (" + layer.class_name() + ")" : layer.class_name();
  if (options.show_shapes) {
    if (!input_shapes.empty()) label += "\nInput shape: " + input_shapes;
    label += "\nOutput shape: " + output_shape;
  }
  return label;
}

std::string shape_list(const std::vector<Shape>& shapes) {
  if (shapes.size() == 1) return shapes[0].to_string();
  std::string out = "[";
  for (std::size_t i = 0; i < shapes.size(); ++i) out += (i ? ", " : "") + shapes[i].to_string();
  return out + "]";
}

}  // namespace

std::string model_to_dot(const Model& model, const PlotOptions& options) {
  STRATA_CHECK(options.rankdir == "TB" || options.rankdir == "LR" || options.rankdir == "BT" || options.rankdir == "RL",
               ValueError, "plot_model: rankdir must be \"TB\", \"LR\", \"BT\" or \"RL\", received \"", options.rankdir,
               "\"");
  std::ostringstream dot;
  dot << "digraph \"" << escape(model.name()) << "\" {\n"
      << "  graph [rankdir=" << options.rankdir << ", dpi=" << options.dpi << "];\n"
      << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\"];\n";
  std::map<const Layer*, int> ids;
  const auto node = [&](const Layer& layer, const std::string& output_shape, const std::string& inputs) {
    const int id = static_cast<int>(ids.size());
    ids[&layer] = id;
    dot << "  n" << id << " [label=\"" << escape(label_for(layer, output_shape, inputs, options)) << "\"];\n";
  };

  if (const detail::FunctionalGraph* graph = model.graph()) {
    // Each layer's box shows its first call in the graph (as the summary does); an edge runs
    // from the producer of each input of each step, drawn once, in layer order.
    for (Layer* layer : model.layers()) {
      const detail::GraphNode* first = nullptr;
      for (const auto& n : graph->nodes)
        if (n->layer.get() == layer && !first) first = n.get();
      std::vector<Shape> inputs;
      if (first)
        for (const Tensor& input : first->inputs) inputs.push_back(input.shape());
      node(*layer, first ? first->output_shape.to_string() : std::string("?"),
           inputs.empty() ? std::string() : shape_list(inputs));
    }
    std::set<std::pair<int, int>> edges;
    for (const auto& step : graph->steps)
      for (const Tensor& input : step.node->inputs)
        edges.emplace(ids.at(input.node()->layer.get()), ids.at(step.node->layer.get()));
    for (const auto& [from, to] : edges) dot << "  n" << from << " -> n" << to << ";\n";
  } else if (model.class_name() == "Sequential") {
    const Layer* previous = nullptr;
    for (Layer* layer : model.layers()) {
      std::string output = "?", inputs;
      if (layer->built() && !layer->build_input_shapes().empty()) {
        inputs = shape_list(layer->build_input_shapes());
        output = layer->output_shape_for(layer->build_input_shapes()).to_string();
      }
      node(*layer, output, inputs);
      if (previous) dot << "  n" << ids.at(previous) << " -> n" << ids.at(layer) << ";\n";
      previous = layer;
    }
  } else {
    // Keras draws a subclassed model as one box: its connections exist only inside call().
    std::string output = "?", inputs;
    if (model.built()) {
      inputs = shape_list(model.input_shapes());
      output = shape_list(model.output_shapes());
    }
    node(model, output, inputs);
  }
  dot << "}\n";
  return dot.str();
}

void plot_model(const Model& model, const std::string& path, const PlotOptions& options) {
  const std::string text = model_to_dot(model, options);
  const auto dot_at = path.rfind('.');
  const std::string extension = dot_at == std::string::npos ? "" : path.substr(dot_at + 1);
  if (extension == "dot" || extension == "gv") {
    std::ofstream file(path);
    file << text;
    STRATA_CHECK(file.good(), IOError, "plot_model: cannot write \"", path, "\"");
    return;
  }
  STRATA_CHECK(extension == "png" || extension == "svg" || extension == "pdf", ValueError,
               "plot_model: the file name must end in .png, .svg, .pdf or .dot, received \"", path, "\"");
  STRATA_CHECK(std::system("command -v dot > /dev/null 2>&1") == 0, IOError,
               "plot_model needs Graphviz's `dot` program to write \"", path,
               "\"; install it (Debian: `apt-get install graphviz`), or give a .dot path to get the graph as text.");
  // The DOT text goes through a file, so no shell ever sees the model's names.
  char dot_path[] = "/tmp/strata_plot_XXXXXX";
  const int fd = mkstemp(dot_path);
  STRATA_CHECK(fd >= 0, IOError, "plot_model: cannot create a temporary file");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  STRATA_CHECK(written, IOError, "plot_model: cannot write the temporary DOT file");
  const pid_t child = fork();
  if (child == 0) {
    const std::string format = "-T" + extension;
    execlp("dot", "dot", format.c_str(), dot_path, "-o", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (child > 0) waitpid(child, &status, 0);
  std::remove(dot_path);
  STRATA_CHECK(child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, IOError,
               "plot_model: Graphviz's dot failed to write \"", path, "\" (exit status ",
               WIFEXITED(status) ? WEXITSTATUS(status) : -1, ")");
}

}  // namespace strata
