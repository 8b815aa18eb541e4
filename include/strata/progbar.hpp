#pragma once
/// @class strata::Progbar
/// Keras's progress bar (keras.utils.Progbar). On a terminal, verbose 1 redraws one line with a
/// 20-wide bar, at most every 50 ms; anywhere else (a file, a pipe) it writes only the finished
/// line, with no control characters. Verbose 2 writes one line when a known target is finished.
///
///     strata::Progbar bar(1688, 1, std::cout);
///     for (std::int64_t step = 1; step <= 1688; ++step) bar.update(step, {{"loss", 0.5}});

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>

#include "strata/history.hpp"

namespace strata {

namespace detail {
class ProgbarCore;
}

class Progbar {
 public:
  /// `target`: number of steps (unknown when empty). `verbose`: 0 silent, 1 bar, 2 one line at the
  /// end. `interactive`: draw with control characters; by default, whether `out` is std::cout and
  /// stdout is a terminal.
  Progbar(std::optional<std::int64_t> target, int verbose, std::ostream& out, std::optional<bool> interactive = {});
  ~Progbar();
  /// Moves the bar and its state to a new owner.
  Progbar(Progbar&&) noexcept;
  /// Moves the bar and its state to a new owner.
  Progbar& operator=(Progbar&&) noexcept;

  /// Step `current` is done; `values` are the logs to show, as they are (Strata's metrics are
  /// already running means, as Keras's ProgbarLogger passes them). Keys keep the place where they
  /// first appeared, so `val_*` keys added at the end of an epoch come last. `finalize` ends the
  /// bar (newline, elapsed time instead of ETA); left out, it is whether a known target is
  /// reached. fit passes false on the last batch and true at epoch end, with the `val_*` keys.
  void update(std::int64_t current, const Logs& values, std::optional<bool> finalize = {});
  /// Whether update(current, ..., finalize) would draw now: ProgbarLogger reads a batch's logs
  /// back from the device only then.
  bool will_draw(std::int64_t current, std::optional<bool> finalize = {}) const;

 private:
  std::ostream* out_;
  std::unique_ptr<detail::ProgbarCore> core_;
};

}  // namespace strata
