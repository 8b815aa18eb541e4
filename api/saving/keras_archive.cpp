#include "api/saving/keras_archive.hpp"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

#include "api/saving/hdf5_file.hpp"
#include "api/saving/hdf5_probe.hpp"
#include "api/saving/model_serialization.hpp"
#include "api/saving/weights_store.hpp"
#include "api/saving/zip_archive.hpp"
#include "backends/host_memory.hpp"
#include "strata/error.hpp"
#include "strata/version.hpp"

namespace strata::detail {

namespace {

constexpr const char* kConfigEntry = "config.json";
constexpr const char* kWeightsEntry = "model.weights.h5";
constexpr const char* kMetadataEntry = "metadata.json";
// A model config is text describing layers: far below this even for large networks.
constexpr std::uint64_t kMaxConfigBytes = 64ull << 20;

std::vector<std::byte> bytes_of(const std::string& text) {
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return {p, p + text.size()};
}

std::string date_saved() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d@%H:%M:%S", &local);
  return text;
}

std::string text_of(const std::vector<std::byte>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::vector<std::byte> write_keras_archive(Model& model) {
  // keras_version names the Keras release whose format this follows (and whose reader the
  // tests check it against); strata_version says which program wrote it.
  const nlohmann::json metadata = {
      {"keras_version", "3.15.1"}, {"strata_version", STRATA_VERSION_STRING}, {"date_saved", date_saved()}};
  nlohmann::json config = serialize_layer(model);
  if (model.compiled()) config["compile_config"] = model.get_compile_config();

  H5Writer weights(kWeightsEntry);
  write_weights(model, weights);

  ZipWriter zip;
  zip.add(kMetadataEntry, bytes_of(metadata.dump()), false);
  zip.add(kConfigEntry, bytes_of(config.dump()), false);
  zip.add(kWeightsEntry, weights.finish(), false);
  return zip.finish();
}

namespace {

void load_weights_entry(Model& model, const ZipReader& zip, const std::string& name) {
  STRATA_CHECK(zip.contains(kWeightsEntry), ValueError, name, ": the archive has no ", kWeightsEntry);
  const std::vector<std::byte> weights = zip.read(kWeightsEntry, backends::host_memory_limit());
  const H5Reader reader = open_untrusted_h5(weights, name + "/" + kWeightsEntry);
  try {
    read_weights(model, reader);
  } catch (const ValueError& e) {
    throw ValueError(concat(name, ": ", e.what()));
  }
}

}  // namespace

std::shared_ptr<Model> read_keras_archive(std::span<const std::byte> bytes, const std::string& name, bool compile) {
  const ZipReader zip(bytes, name);
  STRATA_CHECK(zip.contains(kConfigEntry), ValueError, name, ": the archive has no ", kConfigEntry,
               ", so it is not a Keras model file");
  const std::string source = name + "/" + kConfigEntry;
  const nlohmann::json config = parse_json(text_of(zip.read(kConfigEntry, kMaxConfigBytes)), source);
  std::shared_ptr<Model> model = model_from_config(config, source);
  if (compile && config.contains("compile_config") && !config["compile_config"].is_null()) {
    try {
      model->compile_from_config(config["compile_config"]);
    } catch (const ValueError& e) {
      throw ValueError(concat(source, ": ", e.what()));
    }
  }
  load_weights_entry(*model, zip, name);
  return model;
}

void read_keras_archive_weights(Model& model, std::span<const std::byte> bytes, const std::string& name) {
  load_weights_entry(model, ZipReader(bytes, name), name);
}

}  // namespace strata::detail
