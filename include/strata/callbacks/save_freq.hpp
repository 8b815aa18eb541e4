#pragma once
/// @class strata::callbacks::SaveFreq
/// When a checkpointing callback saves: Keras's `save_freq`, "epoch" or a number of batches.

#include <string_view>

#include "strata/error.hpp"

namespace strata::callbacks {

class SaveFreq {
 public:
  /// At the end of every epoch: `"epoch"`, the only string Keras accepts.
  SaveFreq(const char* when) {
    STRATA_CHECK(std::string_view(when) == "epoch", ValueError, "Unrecognized save_freq: ", when,
                 ". Expected save_freq are 'epoch' or integer values");
  }
  /// Every `batches` training batches, counted across epochs.
  SaveFreq(int batches) : batches_(batches) {
    STRATA_CHECK(batches > 0, ValueError, "Unrecognized save_freq: ", batches,
                 ". Expected save_freq are 'epoch' or positive integer values");
  }
  /// Whether saves happen at epoch ends.
  bool per_epoch() const { return batches_ == 0; }
  /// The number of batches between saves (0 for "epoch").
  int batches() const { return batches_; }

 private:
  int batches_ = 0;
};

}  // namespace strata::callbacks
