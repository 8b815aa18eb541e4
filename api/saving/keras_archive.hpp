#pragma once
// Keras 3's .keras archive (keras.md §4.1): a zip holding metadata.json, config.json (the
// model's serialized form with its compile_config) and model.weights.h5, every entry stored.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strata/model.hpp"

namespace strata::detail {

/// The archive's bytes for `model`.
std::vector<std::byte> write_keras_archive(Model& model);

/// A model from an archive's bytes (`name` is the file's, for errors); compiled with the saved
/// optimizer state when `compile` and the archive has a compile_config.
std::shared_ptr<Model> read_keras_archive(std::span<const std::byte> bytes, const std::string& name, bool compile);

/// Loads only the weights (and optimizer variables) of an archive into an existing model.
void read_keras_archive_weights(Model& model, std::span<const std::byte> bytes, const std::string& name);

}  // namespace strata::detail
