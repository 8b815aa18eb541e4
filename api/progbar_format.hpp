#pragma once
/// Internal: the progress bar's logic and formatting, free of clocks and streams so that tests can
/// check every byte. strata::Progbar (include/strata/progbar.hpp) is a thin shell around
/// ProgbarCore that reads the clock and writes to its stream. Mirrors Keras 3 utils/progbar.py.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/history.hpp"

namespace strata::detail {

/// Log values in display order: Keras shows keys in the order they first appeared.
using LogItems = std::vector<std::pair<std::string, double>>;

/// `%d`-style digits of the step target, as Keras's `int(math.log10(target)) + 1` (1 for 0).
int progbar_num_digits(std::int64_t target);

/// The ETA while running: `Ns` up to a minute, `M:SS` up to an hour, `H:MM:SS` beyond.
std::string format_eta(double seconds);

/// Keras's `_format_time`: ` {x:.0f}s/step` (x >= 1 or x == 0), ` {ms:.0f}ms/step` (x >= 1e-3),
/// ` {us:.0f}us/step` otherwise. The leading space is part of the result, as in Keras.
std::string format_time_per_unit(double seconds_per_unit, std::string_view unit_name = "step");

/// A log value on the verbose-1 line: `%.4f` when |v| > 1e-3, `%.4e` otherwise.
std::string format_log_value(double value);

/// A log value on the verbose-2 line. Keras tests `v > 1e-3` there (no abs), so negative values
/// print in `%.4e`; kept for byte-exact output.
std::string format_log_value_v2(double value);

/// One verbose-1 line without the leading `\b...\r`, padding or newline.
struct ProgbarLine {
  std::string text;       ///< bytes to write (with escapes when coloured)
  std::size_t width = 0;  ///< visible width in terminal cells (escapes not counted)
};

/// Renders the verbose-1 line. `seconds` is the ETA basis: while running (`finalize` false and
/// the target known) the ETA is `time_per_unit * (target - current)`; otherwise `seconds` is the
/// elapsed time printed as `{:.0f}s`. `colour` adds Keras's escapes (bold counter, green/grey bar,
/// bold time); without it the line is plain text.
ProgbarLine render_progbar_line(std::optional<std::int64_t> target, std::int64_t current, bool finalize, double elapsed,
                                double time_per_unit, const LogItems& values, bool colour, int bar_width = 20,
                                std::string_view unit_name = "step");

/// Renders the verbose-2 line: `{cur}/{target} - {elapsed:.0f}s - {time}/step - k: v ...`
/// (no newline).
std::string render_progbar_v2_line(std::optional<std::int64_t> target, std::int64_t current, double elapsed,
                                   double time_per_unit, const LogItems& values, std::string_view unit_name = "step");

struct ProgbarOptions {
  std::optional<std::int64_t> target;
  int verbose = 1;
  bool interactive = true;  ///< redraw in place with control characters and colours
  double interval = 0.05;   ///< minimum seconds between two redraws (the final one is never held back)
  int bar_width = 20;
  std::string unit_name = "step";
};

/// The progress bar's state machine, with time passed in (seconds on any monotonic clock).
class ProgbarCore {
 public:
  ProgbarCore(ProgbarOptions options, double start_seconds);

  /// Step `current` is done at time `now`; returns the bytes to write (empty when nothing is due).
  /// `finalize` defaults, as in Keras, to whether a known target is reached. Keys seen before keep
  /// their place and last value; new keys are appended in the map's (sorted) order.
  std::string update(std::int64_t current, const Logs& values, std::optional<bool> finalize, double now);

  /// Whether update() with these arguments at time `now` would return bytes.
  bool will_draw(std::int64_t current, std::optional<bool> finalize, double now) const;

  /// Keras's `_estimate_step_duration`: the first step is left out of the average once more
  /// steps are done. Updates the first-step bookkeeping.
  double estimate_step_duration(std::int64_t current, double now);

 private:
  ProgbarOptions options_;
  double start_;
  double last_update_;
  std::optional<double> time_after_first_step_;
  std::size_t prev_total_width_ = 0;
  LogItems values_;
};

}  // namespace strata::detail
