#include "strata/callbacks/backup_and_restore.hpp"

#include <zlib.h>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/saving/atomic_file.hpp"
#include "strata/error.hpp"
#include "strata/model.hpp"
#include "strata/random.hpp"

namespace strata::callbacks {

namespace fs = std::filesystem;

namespace {

// Backups are small next to the machine; this bounds a hostile metadata file, not the weights.
constexpr std::uint64_t kMaxMetadataBytes = 1 << 20;

std::uint32_t crc_of_file(const std::string& path) {
  const std::vector<std::byte> bytes = detail::read_whole_file(path, UINT64_MAX);
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t done = 0;
  while (done < bytes.size()) {
    // zlib takes at most a uInt per call.
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes.size() - done, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), chunk);
    done += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

void copy_if_exists(const std::string& from, const std::string& to) {
  if (fs::exists(from)) fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

}  // namespace

BackupAndRestore::BackupAndRestore(std::string backup_dir, BackupAndRestoreOptions options)
    : dir_(std::move(backup_dir)), options_(options) {
  STRATA_CHECK(!dir_.empty(), ValueError, "Empty `backup_dir` argument passed");
  weights_path_ = (fs::path(dir_) / "latest.weights.h5").string();
  metadata_path_ = (fs::path(dir_) / "training_metadata.json").string();
}

void BackupAndRestore::on_train_begin(Logs&) {
  try {
    restore();
  } catch (const Error&) {
    // Keras falls back to the previous backup when the latest cannot be read.
    if (!fs::exists(weights_path_ + ".bkp")) throw;
    copy_if_exists(weights_path_ + ".bkp", weights_path_);
    if (fs::exists(metadata_path_ + ".bkp"))
      copy_if_exists(metadata_path_ + ".bkp", metadata_path_);
    else
      fs::remove(metadata_path_);
    restore();
  }
}

void BackupAndRestore::restore() {
  Model& m = model();
  if (!fs::exists(weights_path_)) return;
  nlohmann::json metadata;
  if (fs::exists(metadata_path_)) {
    const std::vector<std::byte> bytes = detail::read_whole_file(metadata_path_, kMaxMetadataBytes);
    try {
      metadata = nlohmann::json::parse(reinterpret_cast<const char*>(bytes.data()),
                                       reinterpret_cast<const char*>(bytes.data()) + bytes.size());
    } catch (const nlohmann::json::exception& e) {
      throw IOError(detail::concat("BackupAndRestore: \"", metadata_path_, "\" is not valid JSON: ", e.what()));
    }
    STRATA_CHECK(metadata.is_object() && metadata.contains("epoch") && metadata["epoch"].is_number_integer(), IOError,
                 "BackupAndRestore: \"", metadata_path_, "\" has no integer \"epoch\"");
    // A backup killed between writing the weights and the metadata pairs one epoch's weights
    // with another's metadata; the checksum catches it rather than resuming from a mix.
    if (metadata.contains("strata_weights_crc32"))
      STRATA_CHECK(metadata["strata_weights_crc32"].get<std::uint32_t>() == crc_of_file(weights_path_), IOError,
                   "BackupAndRestore: \"", weights_path_, "\" does not match \"", metadata_path_,
                   "\" (the backup was interrupted while being written)");
  }
  if (m.compiled() && !m.optimizer().built()) m.optimizer().build(m.trainable_weights());
  m.load_weights(weights_path_);
  if (metadata.is_object()) {
    m.resume_from_epoch(metadata["epoch"].get<int>());
    current_epoch_ = metadata["epoch"].get<int>();
    if (metadata.contains("strata_rng_state") && metadata["strata_rng_state"].is_string()) {
      std::istringstream state(metadata["strata_rng_state"].get<std::string>());
      state >> detail::global_rng();
      STRATA_CHECK(!state.fail(), IOError, "BackupAndRestore: \"", metadata_path_,
                   "\" holds an unreadable random generator state");
    }
  }
}

void BackupAndRestore::backup() {
  fs::create_directories(dir_);
  if (options_.double_checkpoint) {
    copy_if_exists(weights_path_, weights_path_ + ".bkp");
    copy_if_exists(metadata_path_, metadata_path_ + ".bkp");
  }
  model().save_weights(weights_path_);
  std::ostringstream rng;
  rng << detail::global_rng();
  const nlohmann::json metadata = {{"epoch", current_epoch_},
                                   {"batch", last_batch_},
                                   {"strata_rng_state", rng.str()},
                                   {"strata_weights_crc32", crc_of_file(weights_path_)}};
  const std::string text = metadata.dump();
  detail::write_file_atomically(metadata_path_, std::as_bytes(std::span(text.data(), text.size())));
}

void BackupAndRestore::on_epoch_end(int epoch, Logs&) {
  current_epoch_ = epoch + 1;
  last_batch_ = 0;
  if (options_.save_freq.per_epoch()) backup();
}

bool BackupAndRestore::wants_batch_logs(CallbackMode, int, bool) const { return false; }

void BackupAndRestore::on_train_batch_end(int batch, const Logs&) {
  if (options_.save_freq.per_epoch()) return;
  batches_since_save_ += batch <= last_batch_ ? batch + 1 : batch - last_batch_;
  last_batch_ = batch;
  if (batches_since_save_ >= options_.save_freq.batches()) {
    batches_since_save_ = 0;
    backup();
  }
}

void BackupAndRestore::on_train_end(Logs&) {
  if (options_.delete_checkpoint && fs::exists(dir_)) fs::remove_all(dir_);
}

}  // namespace strata::callbacks
