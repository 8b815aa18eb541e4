// The file-level entry points: Model::save, save_weights, load_weights and load_model pick the
// format from the file name as Keras does, write through write_file_atomically, and read
// whole files (bounded by the machine's memory) before parsing them from memory.

#include <nlohmann/json.hpp>

#include "api/saving/atomic_file.hpp"
#include "api/saving/hdf5_file.hpp"
#include "api/saving/hdf5_probe.hpp"
#include "api/saving/keras_archive.hpp"
#include "api/saving/legacy_h5.hpp"
#include "api/saving/weights_store.hpp"
#include "backends/host_memory.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"
#include "strata/saving.hpp"

namespace strata {

namespace {

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_legacy_h5(const std::string& path) { return ends_with(path, ".h5") || ends_with(path, ".hdf5"); }

std::vector<std::byte> read_model_file(const std::string& path) {
  return detail::read_whole_file(path, backends::host_memory_limit());
}

}  // namespace

void Model::save(const std::string& path) const {
  // Saving reads the variables and walks the layers; neither changes the model.
  Model& self = const_cast<Model&>(*this);
  if (ends_with(path, ".keras")) {
    detail::write_file_atomically(path, detail::write_keras_archive(self));
  } else if (is_legacy_h5(path) && !ends_with(path, ".weights.h5")) {
    detail::write_file_atomically(path, detail::write_legacy_h5(self));
  } else {
    throw ValueError(detail::concat(
        "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras format "
        "(recommended) or a `.h5` extension. Received: filepath=",
        path));
  }
}

void Model::save_weights(const std::string& path) const {
  STRATA_CHECK(ends_with(path, ".weights.h5"), ValueError,
               "The filename must end in `.weights.h5`. Received: filepath=", path);
  STRATA_CHECK(built(), ValueError, "Model \"", name(),
               "\" has no weights yet: build it (give it an Input, or call fit or build) before save_weights.");
  detail::H5Writer file(path);
  detail::write_weights(const_cast<Model&>(*this), file);
  detail::write_file_atomically(path, file.finish());
}

void Model::load_weights(const std::string& path) {
  STRATA_CHECK(built(), ValueError, "Model \"", name(),
               "\" has no weights yet: build it (give it an Input, or call fit or build) before load_weights.");
  const std::vector<std::byte> bytes = read_model_file(path);
  if (ends_with(path, ".keras")) {
    detail::read_keras_archive_weights(*this, bytes, path);
    return;
  }
  STRATA_CHECK(is_legacy_h5(path), ValueError, "File format not supported: filepath=", path,
               ". Strata reads weights from `.weights.h5`, `.keras` and legacy `.h5` files.");
  const detail::H5Reader file = detail::open_untrusted_h5(bytes, path);
  try {
    if (ends_with(path, ".weights.h5") || file.has_group("layers") || file.has_group("_layer_checkpoint_dependencies"))
      detail::read_weights(*this, file);
    else
      detail::read_legacy_weights(*this, file);
  } catch (const ValueError& e) {
    throw ValueError(detail::concat(path, ": ", e.what()));
  }
}

std::shared_ptr<Model> load_model(const std::string& path, bool compile) {
  const std::vector<std::byte> bytes = read_model_file(path);
  if (ends_with(path, ".keras")) return detail::read_keras_archive(bytes, path, compile);
  if (is_legacy_h5(path)) return detail::read_legacy_h5(bytes, path, compile);
  throw ValueError(detail::concat("File format not supported: filepath=", path,
                                  ". Strata reads `.keras` archives and legacy `.h5` files."));
}

}  // namespace strata
