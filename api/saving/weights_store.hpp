#pragma once
// A model's state in Keras 3's weights layout (keras.md §4.3), the one model.weights.h5 inside
// a .keras archive and a .weights.h5 file share: every layer's variables under
// "<path>/vars/<i>" (trainable first), the path built from Keras's object tree, and the
// optimizer's variables under "optimizer/vars".

#include <string>
#include <vector>

#include "strata/model.hpp"

namespace strata::detail {

class H5Writer;
class H5Reader;

/// A layer and the path of its "vars" group's parent in the file ("" for the model itself,
/// "layers/dense_1", "layers/sequential/layers/conv2d").
struct SaveablePath {
  std::string path;
  Layer* layer = nullptr;
};

/// The layers of `model` in the order Keras's saving_lib visits them, each with its path:
/// Sequential and Functional models name their children in a "layers" container after the
/// snake_case class name, made unique with _1, _2 ... in model.layers order; other layers
/// with sublayers (a subclassed model) name them by layer name, where Keras uses the Python
/// attribute name. A layer reached twice is listed once, where it was first reached.
std::vector<SaveablePath> saveable_paths(Model& model);

/// A tensor's shape as the HDF5 wrappers take it.
std::vector<std::int64_t> dims_of(const Tensor& tensor);

/// What to do with a saved optimizer of `saved` variables (iterations and learning rate
/// included) for `optimizer`: load them all when the counts agree; when the file holds only
/// the two counters (an optimizer saved before its first step) load those; otherwise warn in
/// Keras's words and start the optimizer afresh, as Keras does.
enum class OptimizerLoad { all, counters, none };
OptimizerLoad plan_optimizer_load(std::size_t saved, const Optimizer& optimizer);

/// Writes the model's variables, and its optimizer's when compiled, into `file`.
void write_weights(Model& model, H5Writer& file);

/// Reads them back into `model`: every layer's variables must be present with the shapes the
/// model has; the optimizer's are loaded when the model is compiled and the counts agree.
void read_weights(Model& model, const H5Reader& file);

}  // namespace strata::detail
