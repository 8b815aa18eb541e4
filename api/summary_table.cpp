#include "api/summary_table.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "strata/error.hpp"

namespace strata::detail {
namespace {

// Text as a sequence of code points, each kept as its UTF-8 bytes; one code point is one
// terminal cell (layer names, shapes and class names are ASCII in practice).
using Chars = std::vector<std::string>;

Chars split_chars(std::string_view text) {
  Chars out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = 1;
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0)
      n = 4;
    else if (lead >= 0xE0)
      n = 3;
    else if (lead >= 0xC0)
      n = 2;
    n = std::min(n, text.size() - i);
    out.emplace_back(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string join(const Chars& chars, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end && i < chars.size(); ++i) out += chars[i];
  return out;
}

bool is_space(const std::string& c) {
  return c.size() == 1 && (c[0] == ' ' || c[0] == '\t' || c[0] == '\n' || c[0] == '\r' || c[0] == '\f' || c[0] == '\v');
}

std::size_t trailing_spaces(const Chars& line) {
  std::size_t n = 0;
  while (n < line.size() && is_space(line[line.size() - 1 - n])) ++n;
  return n;
}

// rich's _wrap.divide_line with fold=False: table columns overflow with "ellipsis", so a word
// longer than the width gets a line of its own and is cut later.
std::vector<std::size_t> divide_line(const Chars& text, std::size_t width) {
  std::vector<std::size_t> breaks;
  std::size_t offset = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // One word: the regex \s*\S+\s*.
    const std::size_t start = i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) break;  // only whitespace left: no word
    while (i < text.size() && !is_space(text[i])) ++i;
    const std::size_t stripped_end = i;
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t word_length = stripped_end - start;
    const std::size_t word_cells = i - start;
    const std::size_t remaining = width >= offset ? width - offset : 0;
    if (width >= offset && remaining >= word_length) {
      offset += word_cells;
    } else if (word_length > width) {
      if (start != 0) breaks.push_back(start);
      offset = word_cells;
    } else if (offset != 0 && start != 0) {
      breaks.push_back(start);
      offset = word_cells;
    }
  }
  return breaks;
}

// rich's Text.truncate(width, overflow="ellipsis").
void truncate_ellipsis(Chars& line, std::size_t width) {
  if (line.size() <= width) return;
  line.resize(width == 0 ? 0 : width - 1);
  if (width > 0) line.emplace_back("\u2026");
}

// One cell's text as rich's Text.wrap lays it out in `width` cells, each line padded to `width`.
std::vector<std::string> wrap_cell(std::string_view text, std::size_t width, char justify) {
  std::vector<std::string> out;
  std::size_t line_begin = 0;
  while (true) {
    const std::size_t newline = text.find('\n', line_begin);
    const Chars chars = split_chars(
        text.substr(line_begin, newline == std::string_view::npos ? std::string_view::npos : newline - line_begin));
    std::vector<std::size_t> cuts = divide_line(chars, width);
    cuts.push_back(chars.size());
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
      Chars piece(chars.begin() + static_cast<std::ptrdiff_t>(from), chars.begin() + static_cast<std::ptrdiff_t>(cut));
      from = cut;
      if (piece.size() > width) {  // rstrip_end: drop whitespace that sticks out
        const std::size_t drop = std::min(trailing_spaces(piece), piece.size() - width);
        piece.resize(piece.size() - drop);
      }
      if (justify != 'l') piece.resize(piece.size() - trailing_spaces(piece));
      truncate_ellipsis(piece, width);
      const std::size_t pad = width - piece.size();
      std::size_t left = 0;
      if (justify == 'r') left = pad;
      if (justify == 'c') left = pad / 2;
      out.push_back(std::string(left, ' ') + join(piece, 0, piece.size()) + std::string(pad - left, ' '));
    }
    if (newline == std::string_view::npos) break;
    line_begin = newline + 1;
  }
  return out;
}

std::string repeat(std::string_view piece, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += piece;
  return out;
}

// One horizontal rule of the box: left, fill, column divider, right.
std::string rule(const std::vector<std::size_t>& widths, std::string_view left, std::string_view fill,
                 std::string_view divider, std::string_view right) {
  std::string out(left);
  for (std::size_t c = 0; c < widths.size(); ++c) {
    if (c != 0) out += divider;
    out += repeat(fill, widths[c]);
  }
  out += right;
  out += '\n';
  return out;
}

// Rows of cells (padding one space each side) between vertical bars.
std::string cells_row(const std::vector<std::size_t>& widths, const std::string& justify,
                      const std::vector<std::string>& cells, std::string_view bar) {
  std::vector<std::vector<std::string>> lines(widths.size());
  std::size_t height = 1;
  for (std::size_t c = 0; c < widths.size(); ++c) {
    const std::size_t inner = widths[c] >= 2 ? widths[c] - 2 : 0;
    lines[c] = wrap_cell(c < cells.size() ? cells[c] : std::string(), inner, c < justify.size() ? justify[c] : 'l');
    height = std::max(height, lines[c].size());
  }
  std::string out;
  for (std::size_t h = 0; h < height; ++h) {
    out += bar;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      if (c != 0) out += bar;
      const std::size_t inner = widths[c] >= 2 ? widths[c] - 2 : 0;
      const std::string text = h < lines[c].size() ? lines[c][h] : std::string(inner, ' ');
      if (widths[c] >= 2)
        out += ' ' + text + ' ';
      else
        out += std::string(widths[c], ' ');
    }
    out += bar;
    out += '\n';
  }
  return out;
}

// rich's Table._calculate_column_widths for fixed-width columns in a table of fixed width:
// each column asks for its width plus 2 of padding; the excess over the room left by the
// borders is taken off evenly (rich's ratio_reduce, Python's round half to even).
std::vector<std::size_t> column_widths(const std::vector<double>& positions, int line_length) {
  const auto n = static_cast<long long>(positions.size());
  const long long room = line_length - (n + 1);
  std::vector<long long> widths;
  long long current = 0;
  for (const double pos : positions) {
    const long long width = static_cast<long long>(pos * line_length) - current;
    STRATA_CHECK(width >= 4, ValueError, "Insufficient console width to print summary.");
    widths.push_back(std::min(width + 2, std::max(room, 0LL)));
    current += width;
  }
  long long total = 0;
  for (const long long w : widths) total += w;
  if (total > room) {
    long long remaining = total - room;
    long long ratio_left = n;
    for (auto& w : widths) {
      const long long share =
          std::min(w, static_cast<long long>(std::nearbyint(static_cast<double>(remaining) / ratio_left)));
      w -= share;
      remaining -= share;
      --ratio_left;
    }
  }
  std::vector<std::size_t> out;
  for (const long long w : widths) out.push_back(static_cast<std::size_t>(std::max(w, 0LL)));
  return out;
}

std::string totals_line(std::string_view label, const SummaryCount& count) {
  std::string out = " ";
  out += label;
  out += ": ";
  out += format_thousands(count.params);
  out += " (";
  out += readable_memory_size(static_cast<double>(count.bytes));
  out += ")\n";
  return out;
}

}  // namespace

int terminal_columns() {
  if (const char* env = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long value = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && value > 0) return static_cast<int>(value);
  }
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

int default_summary_line_length(bool sequential_like) {
  return std::min(sequential_like ? 88 : 108, terminal_columns() - 4);
}

std::string format_thousands(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string readable_memory_size(double bytes) {
  static const char* const kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  char buffer[64];
  for (const char* unit : kUnits) {
    if (bytes / 1024 < 1) {
      std::snprintf(buffer, sizeof buffer, "%.2f %s", bytes, unit);
      return buffer;
    }
    bytes /= 1024;
  }
  std::snprintf(buffer, sizeof buffer, "%.2f %s", bytes, kUnits[5]);
  return buffer;
}

std::string render_box_table(const std::vector<std::string>& headers, const std::string& justify,
                             const std::vector<double>& positions, int line_length,
                             const std::vector<std::vector<std::string>>& rows) {
  STRATA_CHECK(headers.size() == positions.size() && !headers.empty(), ValueError, "render_box_table: ", headers.size(),
               " headers for ", positions.size(), " column positions");
  const std::vector<std::size_t> widths = column_widths(positions, line_length);
  std::string out = rule(widths, "\u250f", "\u2501", "\u2533", "\u2513");  // ┏━┳┓
  out += cells_row(widths, justify, headers, "\u2503");                    // ┃
  out += rule(widths, "\u2521", "\u2501", "\u2547", "\u2529");             // ┡━╇┩
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r != 0) out += rule(widths, "\u251c", "\u2500", "\u253c", "\u2524");  // ├─┼┤
    out += cells_row(widths, justify, rows[r], "\u2502");                     // │
  }
  out += rule(widths, "\u2514", "\u2500", "\u2534", "\u2518");  // └─┴┘
  return out;
}

std::string render_summary(const std::string& model_name, const std::vector<SummaryRow>& rows,
                           const SummaryTotals& totals, bool sequential_like, int line_length) {
  if (line_length <= 0) line_length = default_summary_line_length(sequential_like);
  std::vector<std::string> headers = {"Layer (type)", "Output Shape", "Param #"};
  std::vector<double> positions = {0.45, 0.80, 1.0};
  std::string justify = "llr";
  if (!sequential_like) {
    headers.emplace_back("Connected to");
    positions = {0.3, 0.56, 0.74, 1.0};
    justify = "llrl";
  }
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const SummaryRow& row : rows) {
    std::vector<std::string> fields = {row.name + " (" + row.class_name + ")", row.output_shape,
                                       row.params ? format_thousands(*row.params) : std::string("0 (unbuilt)")};
    if (!sequential_like) fields.push_back(row.connected_to.empty() ? "-" : row.connected_to);
    cells.push_back(std::move(fields));
  }

  std::string out = "Model: \"" + model_name + "\"\n";
  out += render_box_table(headers, justify, positions, line_length, cells);
  SummaryCount total{totals.trainable.params + totals.non_trainable.params,
                     totals.trainable.bytes + totals.non_trainable.bytes};
  if (totals.optimizer) {
    total.params += totals.optimizer->params;
    total.bytes += totals.optimizer->bytes;
  }
  out += totals_line("Total params", total);
  out += totals_line("Trainable params", totals.trainable);
  out += totals_line("Non-trainable params", totals.non_trainable);
  if (totals.optimizer) out += totals_line("Optimizer params", *totals.optimizer);
  return out;
}

}  // namespace strata::detail
