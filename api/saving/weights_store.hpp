#pragma once
// A model's state in Keras 3's weights layout (keras.md §4.3), the one model.weights.h5 inside
// a .keras archive and a .weights.h5 file share: every layer's variables under
// "<path>/vars/<i>" (trainable first), the path built from Keras's object tree, and the
// optimizer's variables under "optimizer/vars".

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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
  /// The variables of the vars group at `path`, in the file's order (Layer::saved_variable_groups).
  std::vector<Variable*> variables;
};

/// The layers of `model` in the order Keras's saving_lib visits them, each with its path:
/// Sequential and Functional models name their children in a "layers" container after the
/// snake_case class name, made unique with _1, _2 ... in model.layers order; other layers
/// with sublayers (a subclassed model) name them by layer name, where Keras uses the Python
/// attribute name. A layer reached twice is listed once, where it was first reached.
std::vector<SaveablePath> saveable_paths(Model& model);

/// A tensor's shape as the HDF5 wrappers take it.
std::vector<std::int64_t> dims_of(const Tensor& tensor);

/// Values read from a file and checked, applied to the model only once all of them are: a
/// bad file leaves the model as it was. Both the weights tree and the legacy reader fill one.
struct PendingLoad {
  std::vector<std::pair<Variable*, std::vector<float>>> values;
  std::optional<std::int64_t> iterations;
  std::optional<float> learning_rate;
  /// Uploads the values and sets the optimizer's counters.
  void apply(Model& model);
};

/// Reads a saved optimizer whose variables are the datasets `paths` (iterations, learning
/// rate, then the slots) into `load`: all of them when the counts agree with `optimizer`'s
/// (built by the caller); only the two counters when the file holds nothing else (an
/// optimizer saved before its first step); otherwise nothing, with Keras's "Skipping variable
/// loading" warning, as Keras starts the optimizer afresh then.
void read_optimizer_state(Optimizer& optimizer, const H5Reader& file, const std::vector<std::string>& paths,
                          PendingLoad& load);

/// Writes the model's variables, and its optimizer's when compiled, into `file`.
void write_weights(Model& model, H5Writer& file);

/// Reads them back into `model`: every layer's variables must be present with the shapes the
/// model has; the optimizer's are loaded when the model is compiled and the counts agree.
void read_weights(Model& model, const H5Reader& file);

}  // namespace strata::detail
