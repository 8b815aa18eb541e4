#pragma once
/// @file
/// Loading models from Keras's files: the model JSON, Keras 3's `.keras` archive and Keras 2's
/// legacy `.h5`, written by Python Keras or by Strata (Model::to_json, Model::save).
///
/// @code
/// auto model = strata::load_model("classifier.keras");   // config, weights, optimizer state
/// model->fit(x, y, {.epochs = 1});                        // training continues where it stopped
/// @endcode
///
/// Custom classes must be registered first (strata/registry.hpp). A damaged or hostile file
/// is refused with a ValueError or IOError naming the file, the object and what was wrong.

#include <memory>
#include <string>

#include "strata/model.hpp"
#include "strata/registry.hpp"

namespace strata {

/// Rebuilds a model (Sequential, Functional, nested, or a registered subclass) from Keras's
/// model JSON, as Python's `keras.models.model_from_json`: the layers are new, with freshly
/// initialised weights (load_weights fills them).
std::shared_ptr<Model> model_from_json(const std::string& json);

/// Loads a whole model from a `.keras` archive or a legacy `.h5` file: the architecture, the
/// weights and, when `compile` is true and the file has a compile configuration, compile()
/// with the saved optimizer state, so training resumes exactly where the save left it.
std::shared_ptr<Model> load_model(const std::string& path, bool compile = true);

}  // namespace strata
