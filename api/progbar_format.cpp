#include "api/progbar_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace strata::detail {
namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kGrey = "\x1b[37m";
constexpr std::string_view kBarCell = "\u2501";  // ━, one terminal cell, three UTF-8 bytes

template <class... Args>
std::string printf_string(const char* format, Args... args) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, format, args...);
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) < sizeof buffer) return std::string(buffer, static_cast<std::size_t>(n));
  std::string out(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), format, args...);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Python prints every NaN as "nan"; glibc prints a NaN with its sign bit set as "-nan".
std::string format_value_with(double value, bool fixed) {
  if (std::isnan(value)) return "nan";
  return printf_string(fixed ? "%.4f" : "%.4e", value);
}

std::string repeat(std::string_view piece, std::int64_t count) {
  std::string out;
  for (std::int64_t i = 0; i < count; ++i) out += piece;
  return out;
}

// Python's `"%{n}d/%d" % (current, target)`, or `"%7d/Unknown" % current`.
std::string format_count(std::optional<std::int64_t> target, std::int64_t current) {
  if (!target || *target <= 0) return printf_string("%7lld/Unknown", static_cast<long long>(current));
  return printf_string("%*lld/%lld", progbar_num_digits(*target), static_cast<long long>(current),
                       static_cast<long long>(*target));
}

std::size_t count_cells(std::string_view utf8) {
  std::size_t cells = 0;
  for (const char c : utf8)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++cells;
  return cells;
}

}  // namespace

int progbar_num_digits(std::int64_t target) {
  int digits = 1;
  for (std::int64_t t = target; t >= 10; t /= 10) ++digits;
  return digits;
}

std::string format_eta(double eta) {
  // Python's `%d` truncates the float operands of `eta // 3600` etc.; they are non-negative here.
  const auto whole = [](double v) { return static_cast<long long>(std::floor(v)); };
  if (eta > 3600)
    return printf_string("%lld:%02lld:%02lld", whole(eta / 3600), whole(std::fmod(eta, 3600) / 60),
                         whole(std::fmod(eta, 60)));
  if (eta > 60) return printf_string("%lld:%02lld", whole(eta / 60), whole(std::fmod(eta, 60)));
  return printf_string("%llds", static_cast<long long>(eta));
}

std::string format_time_per_unit(double seconds, std::string_view unit_name) {
  std::string out;
  if (seconds >= 1 || seconds == 0)
    out = printf_string(" %.0fs/", seconds);
  else if (seconds >= 1e-3)
    out = printf_string(" %.0fms/", seconds * 1000.0);
  else
    out = printf_string(" %.0fus/", seconds * 1000000.0);
  out += unit_name;
  return out;
}

std::string format_log_value(double value) { return format_value_with(value, std::abs(value) > 1e-3); }

std::string format_log_value_v2(double value) { return format_value_with(value, value > 1e-3); }

ProgbarLine render_progbar_line(std::optional<std::int64_t> target, std::int64_t current, bool finalize, double elapsed,
                                double time_per_unit, const LogItems& values, bool colour, int bar_width,
                                std::string_view unit_name) {
  if (target && *target <= 0) target.reset();  // Keras draws a target of 0 as unknown
  ProgbarLine line;
  std::string plain;  // the visible text, to measure the width
  const auto add = [&](std::string_view text, std::string_view style = {}) {
    if (colour && !style.empty()) {
      line.text += style;
      line.text += text;
      line.text += kReset;
    } else {
      line.text += text;
    }
    plain += text;
  };

  if (target) {
    add(format_count(target, current), kBold);
    add(" ");
    const double progress = static_cast<double>(current) / static_cast<double>(*target);
    // Python's int() truncates toward zero; Keras lets the bar overrun when current > target.
    const auto done = static_cast<std::int64_t>(bar_width * progress);
    if (done > 0) add(repeat(kBarCell, done), kGreen);
    add(repeat(kBarCell, bar_width - done), kGrey);
  } else {
    add(format_count(target, current));
  }

  add(" ");
  if (target && !finalize) {
    add(format_eta(time_per_unit * static_cast<double>(*target - current)), kBold);
  } else {
    add(printf_string("%.0fs", elapsed), kBold);
  }
  add(format_time_per_unit(time_per_unit, unit_name));
  for (const auto& [key, value] : values) {
    add(" - ");
    add(key);
    add(": ");
    add(format_log_value(value));
  }
  line.width = count_cells(plain);
  return line;
}

std::string render_progbar_v2_line(std::optional<std::int64_t> target, std::int64_t current, double elapsed,
                                   double time_per_unit, const LogItems& values, std::string_view unit_name) {
  std::string out = format_count(target, current);
  out += printf_string(" - %.0fs -", elapsed);
  out += format_time_per_unit(time_per_unit, unit_name);
  for (const auto& [key, value] : values) {
    out += " - ";
    out += key;
    out += ": ";
    out += format_log_value_v2(value);
  }
  return out;
}

ProgbarCore::ProgbarCore(ProgbarOptions options, double start_seconds)
    : options_(std::move(options)), start_(start_seconds), last_update_(-std::numeric_limits<double>::infinity()) {}

double ProgbarCore::estimate_step_duration(std::int64_t current, double now) {
  if (current == 0) return 0.0;
  double time_per_unit;
  if (time_after_first_step_ && current > 1)
    time_per_unit = (now - *time_after_first_step_) / static_cast<double>(current - 1);
  else
    time_per_unit = (now - start_) / static_cast<double>(current);
  if (current == 1) time_after_first_step_ = now;
  return time_per_unit;
}

std::string ProgbarCore::update(std::int64_t current, const Logs& values, std::optional<bool> finalize_opt,
                                double now) {
  const bool finalize = finalize_opt.value_or(options_.target.has_value() && current >= *options_.target);
  for (const auto& entry : values) {
    // A named pair, not a structured binding: clang 14 (the fuzz build) cannot capture those.
    const std::string& key = entry.first;
    auto it = std::find_if(values_.begin(), values_.end(), [&](const auto& item) { return item.first == key; });
    if (it == values_.end())
      values_.emplace_back(key, entry.second);
    else
      it->second = entry.second;
  }
  const double time_per_unit = estimate_step_duration(current, now);
  std::string message;

  if (options_.verbose == 1) {
    if (options_.interactive) {
      if (now - last_update_ < options_.interval && !finalize) return message;
      const ProgbarLine line = render_progbar_line(options_.target, current, finalize, now - start_, time_per_unit,
                                                   values_, /*colour=*/true, options_.bar_width, options_.unit_name);
      message.append(prev_total_width_, '\b');
      message += '\r';
      message += line.text;
      if (prev_total_width_ > line.width) message.append(prev_total_width_ - line.width, ' ');
      if (finalize) message += '\n';
      prev_total_width_ = line.width;
    } else if (finalize) {
      // A file or a pipe gets the finished line only: no redraws, no control characters.
      message = render_progbar_line(options_.target, current, true, now - start_, time_per_unit, values_,
                                    /*colour=*/false, options_.bar_width, options_.unit_name)
                    .text;
      message += '\n';
    }
  } else if (options_.verbose == 2 && finalize && options_.target && *options_.target > 0) {
    message =
        render_progbar_v2_line(options_.target, current, now - start_, time_per_unit, values_, options_.unit_name);
    message += '\n';
  }
  last_update_ = now;
  return message;
}

bool ProgbarCore::will_draw(std::int64_t current, std::optional<bool> finalize_opt, double now) const {
  const bool finalize = finalize_opt.value_or(options_.target.has_value() && current >= *options_.target);
  if (options_.verbose == 1) return finalize || (options_.interactive && now - last_update_ >= options_.interval);
  return options_.verbose == 2 && finalize && options_.target && *options_.target > 0;
}

}  // namespace strata::detail
