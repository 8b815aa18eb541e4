#pragma once
// Keras 2's legacy HDF5 model file (keras.md §4.4): the model_config and training_config
// attributes at the root, every layer's weights under model_weights/<layer>, listed by the
// layer_names and weight_names attributes (read in that order, never by building paths).

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strata/model.hpp"

namespace strata::detail {

class H5Reader;

/// The legacy file's bytes for a Sequential or Functional model.
std::vector<std::byte> write_legacy_h5(Model& model);

/// A model from a legacy file: its config, weights and, when `compile`, its training config.
std::shared_ptr<Model> read_legacy_h5(std::span<const std::byte> bytes, const std::string& name, bool compile);

/// Loads the weights of a legacy file (a whole-model file or Keras 2's save_weights file,
/// whose layer groups sit at the root) into `model`, matching layers by name.
void read_legacy_weights(Model& model, const H5Reader& file);

}  // namespace strata::detail
