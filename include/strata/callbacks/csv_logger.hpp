#pragma once
/// @class strata::callbacks::CSVLogger
/// Keras's CSVLogger: one row per epoch ("epoch" then the log keys in sorted order) written to a
/// CSV file and flushed after each epoch.

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "strata/callbacks/callback.hpp"

namespace strata::callbacks {

class CSVLogger : public Callback {
 public:
  /// `separator` between fields; `append` adds to an existing file (its header kept).
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);

  void on_train_begin(Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_train_end(Logs& logs) override;

 private:
  std::string filename_;
  char separator_;
  bool append_;
  bool write_header_ = true;
  std::ofstream file_;
  std::optional<std::vector<std::string>> keys_;
};

}  // namespace strata::callbacks
