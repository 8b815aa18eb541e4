#pragma once
/// @class strata::History
/// What fit returns: Keras's History (its `history`, `epoch` and `params`), with the curves
/// written out as CSV, JSON or a plot.
///
///     History history = model.fit(x, y, {.epochs = 20, .validation_split = 0.2});
///     history.to_csv("curves.csv");    // Keras CSVLogger's columns
///     history.to_json("curves.json");  // {"epoch": [...], "history": {...}, "params": {...}}
///     history.plot("curves.png");      // loss and each metric against epochs, through gnuplot

#include <map>
#include <string>
#include <vector>

namespace strata {

/// Log values of one step, epoch or evaluation, keyed as Keras keys them ("loss", "accuracy",
/// "val_loss", ...). Sorted by key, as Keras's progress bar shows them.
using Logs = std::map<std::string, double>;

/// History::plot's options.
struct HistoryPlotOptions {
  /// A title above the panels (none when empty).
  std::string title = {};
  /// Which panels, by metric name without "val_" ("loss", "accuracy"), in this order; empty:
  /// loss first, then every other metric in key order.
  std::vector<std::string> metrics = {};
  /// Each panel's size in pixels (PNG) or points (SVG).
  int panel_width = 560;
  /// Each panel's height in pixels (PNG) or points (SVG).
  int panel_height = 400;
  /// Panels per row; more panels start new rows.
  int columns = 2;
};

struct History {
  /// One value per epoch for each key.
  std::map<std::string, std::vector<double>> history;
  /// The epoch indices run (0-based, starting at initial_epoch).
  std::vector<int> epoch;
  /// {"verbose", "epochs", "steps"} as Keras records them.
  std::map<std::string, int> params;

  /// The curves as CSV, as Keras's CSVLogger writes them: a header `epoch,<keys sorted>`, then
  /// one row per epoch (the epoch index, then each value as Python's repr writes a float,
  /// e.g. `0.1`, `1e-05`, `nan`), lines ending in CRLF (Python's csv module). A key holding
  /// fewer values than there are epochs (validation_freq above 1) is a ValueError: History
  /// does not record which epochs those values belong to.
  std::string to_csv() const;
  /// to_csv() written to `path` (replaced whole, or left as it was on failure; IOError naming
  /// the path).
  void to_csv(const std::string& path) const;
  /// `{"epoch": [...], "history": {"loss": [...], ...}, "params": {...}}`, exactly as Python's
  /// `json.dumps(..., sort_keys=True)` writes Keras's History attributes, so Python's
  /// json.load reads it back; NaN and infinities are written as Python writes them (NaN,
  /// Infinity, -Infinity), which strict JSON parsers refuse but NaN stays visible.
  std::string to_json() const;
  /// to_json() written to `path` (replaced whole, or left as it was on failure).
  void to_json(const std::string& path) const;
  /// Draws the curves into `path`, a PNG or an SVG by its extension, through gnuplot (run as a
  /// child process, found on PATH): one panel for loss and val_loss, then one per metric with
  /// its val_ counterpart, epochs (1-based, as the progress bar counts them) on x, with titles
  /// and legends. A NaN is a gap in its curve. ValueError for another extension, an empty
  /// history, a metric not in it, or keys of different lengths; IOError when gnuplot is
  /// missing (how to install it) or fails (with its error output).
  void plot(const std::string& path, const HistoryPlotOptions& options = {}) const;
};

}  // namespace strata
