#include "strata/callbacks/csv_logger.hpp"

#include <filesystem>

#include "api/csv_field.hpp"
#include "optimizers/config.hpp"
#include "strata/error.hpp"

namespace strata::callbacks {

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), separator_(separator), append_(append) {}

void CSVLogger::on_train_begin(Logs&) {
  write_header_ = true;
  if (append_) {
    // An existing file with a first line keeps its header.
    std::ifstream existing(filename_);
    std::string first;
    if (existing && std::getline(existing, first) && !first.empty()) write_header_ = false;
  }
  if (file_.is_open()) file_.close();
  file_.open(filename_, append_ ? std::ios::app : std::ios::trunc);
  STRATA_CHECK(file_.is_open(), IOError, "CSVLogger cannot open \"", filename_, "\" for writing");
  keys_.reset();
}

void CSVLogger::on_epoch_end(int epoch, Logs& logs) {
  if (!keys_) {
    // Keras's columns: the first epoch's keys sorted, plus val_ twins when it had no val_ keys.
    keys_.emplace();
    bool any_val = false;
    for (const auto& [key, value] : logs) {
      keys_->push_back(key);
      any_val = any_val || key.starts_with("val_");
    }
    if (!any_val && !keys_->empty()) {
      const std::size_t n = keys_->size();
      for (std::size_t i = 0; i < n; ++i) keys_->push_back("val_" + (*keys_)[i]);
    }
    if (write_header_) {
      file_ << "epoch";
      for (const auto& key : *keys_) file_ << separator_ << detail::csv_field(key, separator_);
      file_ << "\r\n";
    }
  }
  file_ << epoch;
  for (const auto& key : *keys_) {
    const auto it = logs.find(key);
    file_ << separator_ << (it == logs.end() ? std::string("NA") : optimizers::detail::py_repr(it->second));
  }
  // Python's csv module ends rows with \r\n (the excel dialect).
  file_ << "\r\n";
  file_.flush();
  STRATA_CHECK(file_.good(), IOError, "CSVLogger could not write to \"", filename_, "\"");
}

void CSVLogger::on_train_end(Logs&) {
  if (file_.is_open()) file_.close();
}

}  // namespace strata::callbacks
