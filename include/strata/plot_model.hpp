#pragma once
/// @file
/// plot_model: draws a model's graph, as keras.utils.plot_model. The graph is written in
/// Graphviz's DOT language; a ".png" or ".svg" path runs Graphviz's `dot` program (Debian's
/// `graphviz` package) to render it, a ".dot" path keeps the DOT text.
///
///     plot_model(model, "model.png", {.show_shapes = true});

#include <string>

namespace strata {

class Model;

/// The options of Plot beyond its positional arguments, with Keras's defaults.
struct PlotOptions {
  /// Each box shows the layer's output shape (and its input shapes).
  bool show_shapes = false;
  /// Each box shows the layer's name beside its class.
  bool show_layer_names = true;
  /// Graphviz's rankdir: "TB" (top to bottom) or "LR" (left to right).
  std::string rankdir = "TB";
  /// Resolution of a raster image (PNG), in dots per inch.
  int dpi = 200;
};

/// The model's graph in DOT: one box per layer ("name (Class)", shapes when asked) and an edge
/// per connection. A subclassed model, whose graph exists only while its call() runs, is one box.
std::string model_to_dot(const Model& model, const PlotOptions& options = {});

/// Writes model_to_dot to `path`, rendered by `dot` for ".png" and ".svg"; IOError when the file
/// cannot be written or `dot` is missing (saying how to install it) or fails.
void plot_model(const Model& model, const std::string& path, const PlotOptions& options = {});

}  // namespace strata
