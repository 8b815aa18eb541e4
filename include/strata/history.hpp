#pragma once
/// @class strata::History
/// What fit returns: Keras's History.

#include <map>
#include <string>
#include <vector>

namespace strata {

/// Log values of one step, epoch or evaluation, keyed as Keras keys them ("loss", "accuracy",
/// "val_loss", ...). Sorted by key, as Keras's progress bar shows them.
using Logs = std::map<std::string, double>;

struct History {
  /// One value per epoch for each key.
  std::map<std::string, std::vector<double>> history;
  /// The epoch indices run (0-based, starting at initial_epoch).
  std::vector<int> epoch;
  /// {"verbose", "epochs", "steps"} as Keras records them.
  std::map<std::string, int> params;
};

}  // namespace strata
