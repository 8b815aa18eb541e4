#include "strata/progbar.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <utility>

#include "api/progbar_format.hpp"

namespace strata {
namespace {

double seconds_since_epoch(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

bool default_interactive(const std::ostream& out) { return &out == &std::cout && ::isatty(STDOUT_FILENO) == 1; }

}  // namespace

Progbar::Progbar(std::optional<std::int64_t> target, int verbose, std::ostream& out, std::optional<bool> interactive)
    : out_(&out) {
  detail::ProgbarOptions options;
  options.target = target;
  options.verbose = verbose;
  options.interactive = interactive.value_or(default_interactive(out));
  core_ =
      std::make_unique<detail::ProgbarCore>(std::move(options), seconds_since_epoch(std::chrono::steady_clock::now()));
}

Progbar::~Progbar() = default;
Progbar::Progbar(Progbar&&) noexcept = default;
Progbar& Progbar::operator=(Progbar&&) noexcept = default;

void Progbar::update(std::int64_t current, const Logs& values, std::optional<bool> finalize) {
  const std::string message =
      core_->update(current, values, finalize, seconds_since_epoch(std::chrono::steady_clock::now()));
  if (!message.empty()) *out_ << message << std::flush;
}

bool Progbar::will_draw(std::int64_t current, std::optional<bool> finalize) const {
  return core_->will_draw(current, finalize, seconds_since_epoch(std::chrono::steady_clock::now()));
}

}  // namespace strata
