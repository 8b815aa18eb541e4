#pragma once
/// Keras's progress bar (keras.utils.Progbar). On a terminal, verbose 1 redraws one line with a
/// 20-wide bar, at most every 50 ms; anywhere else (a file, a pipe) it writes plain lines with
/// no control characters. Verbose 2 writes one line when the target is reached.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "strata/history.hpp"

namespace strata {

class Progbar {
 public:
  /// `target`: number of steps (unknown when empty). `interactive`: draw with control
  /// characters; by default, whether `out` is std::cout and stdout is a terminal.
  Progbar(std::optional<std::int64_t> target, int verbose, std::ostream& out,
          std::optional<bool> interactive = {});

  /// Step `current` is done; `values` are the running logs to show.
  void update(std::int64_t current, const Logs& values, bool finalize = false);

 private:
  std::optional<std::int64_t> target_;
  int verbose_;
  std::ostream& out_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::optional<std::chrono::steady_clock::time_point> first_step_done_;
  std::int64_t first_step_ = 0;
  std::size_t previous_width_ = 0;
  std::int64_t last_plain_percent_ = -1;
};

}  // namespace strata
