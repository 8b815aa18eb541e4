#include "strata/data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

#include "api/saving/atomic_file.hpp"
#include "backends/host_memory.hpp"
#include "strata/error.hpp"

namespace strata::data {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits one line into fields at `delimiter`, honouring double quotes. `where` names the file
// and line for the unterminated-quote error.
std::vector<std::string> split_fields(std::string_view line, char delimiter, const std::string& where) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;  // inside quotes
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && trim(field).empty()) {
      quoted = true;
      was_quoted = true;
      field.clear();
    } else if (c == delimiter) {
      fields.push_back(was_quoted ? field : std::string(trim(field)));
      field.clear();
      was_quoted = false;
    } else if (!(was_quoted && (c == ' ' || c == '\t'))) {
      field += c;
    }
  }
  STRATA_CHECK(!quoted, ValueError, where, ": a quote opened in field ", fields.size(), " is not closed on this line");
  fields.push_back(was_quoted ? field : std::string(trim(field)));
  return fields;
}

// The lines of `text` with their numbers (from 1), without line ends.
struct Line {
  std::int64_t number;
  std::string_view text;
};

std::vector<Line> split_lines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  std::vector<Line> lines;
  std::int64_t number = 1;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({number++, line});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  const std::string file = path.string();
  STRATA_CHECK(options.skip_rows >= 0, ValueError, "read_csv: skip_rows must not be negative, received ",
               options.skip_rows);
  STRATA_CHECK(options.delimiter != '"' && options.delimiter != '\n' && options.delimiter != '\r', ValueError,
               "read_csv: the delimiter cannot be a quote or a line end");
  const std::vector<std::byte> bytes = detail::read_whole_file(file, backends::host_memory_limit());
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::vector<Line> lines = split_lines(text);

  std::size_t next = std::min(lines.size(), static_cast<std::size_t>(options.skip_rows));
  auto skip_blank = [&] {
    while (next < lines.size() && trim(lines[next].text).empty()) ++next;
  };
  auto where = [&](const Line& line) { return "read_csv: '" + file + "' line " + std::to_string(line.number); };

  skip_blank();
  STRATA_CHECK(next < lines.size(), ValueError, "read_csv: '", file, "' has no columns to parse (no line after the ",
               options.skip_rows, " skipped)");
  std::vector<std::string> names;
  std::int64_t header_line = 0;
  if (options.header) {
    header_line = lines[next].number;
    names = split_fields(lines[next].text, options.delimiter, where(lines[next]));
    ++next;
  } else {
    const std::size_t count = split_fields(lines[next].text, options.delimiter, where(lines[next])).size();
    for (std::size_t i = 0; i < count; ++i) names.push_back(std::to_string(i));
  }
  const auto width = static_cast<std::int64_t>(names.size());

  // The columns kept, as indices into a line's fields.
  std::vector<std::size_t> kept;
  if (options.columns.empty()) {
    for (std::int64_t i = 0; i < width; ++i) kept.push_back(static_cast<std::size_t>(i));
  }
  for (const CsvColumn& column : options.columns) {
    if (column.index) {
      const std::int64_t index = *column.index < 0 ? *column.index + width : *column.index;
      STRATA_CHECK(index >= 0 && index < width, ValueError, "read_csv: '", file, "' has ", width,
                   " columns; column index ", *column.index, " is out of range");
      kept.push_back(static_cast<std::size_t>(index));
    } else {
      STRATA_CHECK(options.header, ValueError, "read_csv: column \"", column.name,
                   "\" is selected by name, but the file is read without a header (header = false)");
      const auto found = std::find(names.begin(), names.end(), column.name);
      STRATA_CHECK(found != names.end(), ValueError, "read_csv: '", file, "' has no column named \"", column.name,
                   "\" (its header, line ", header_line, ", names ", width, " columns)");
      kept.push_back(static_cast<std::size_t>(found - names.begin()));
    }
  }

  std::vector<float> values;
  std::int64_t rows = 0;
  for (; next < lines.size(); ++next) {
    const Line& line = lines[next];
    if (trim(line.text).empty()) continue;
    const std::vector<std::string> fields = split_fields(line.text, options.delimiter, where(line));
    STRATA_CHECK(static_cast<std::int64_t>(fields.size()) == width, ValueError, where(line), ": ", fields.size(),
                 " fields where ", width, " were expected (", options.header ? "the header" : "the first line", " has ",
                 width, ")");
    for (std::size_t column : kept) {
      const std::string& field = fields[column];
      auto place = [&] {
        return where(line) + ", column " + std::to_string(column) +
               (options.header ? " (\"" + names[column] + "\")" : std::string());
      };
      const bool missing = field.empty() || std::find(options.missing_values.begin(), options.missing_values.end(),
                                                      field) != options.missing_values.end();
      if (missing) {
        STRATA_CHECK(options.fill_value.has_value(), ValueError, place(), ": missing value \"", field,
                     "\" (set CsvOptions::fill_value to replace missing values)");
        values.push_back(*options.fill_value);
        continue;
      }
      // from_chars takes no leading '+'; a sign after it would then be refused as not a number.
      const std::string_view digits = field.front() == '+' ? std::string_view(field).substr(1) : field;
      float value = 0;
      std::from_chars_result parsed = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (parsed.ec == std::errc::result_out_of_range) {
        // A number too small for float32 rounds to 0 or a subnormal, as a float64 reader's
        // cast would; only one too large is refused.
        double wide = 0;
        parsed = std::from_chars(digits.data(), digits.data() + digits.size(), wide);
        STRATA_CHECK(parsed.ec == std::errc() && std::abs(wide) <= std::numeric_limits<float>::max(), ValueError,
                     place(), ": \"", field, "\" is out of float32's range");
        value = static_cast<float>(wide);
      }
      STRATA_CHECK(parsed.ec == std::errc() && parsed.ptr == digits.data() + digits.size() && !digits.empty(),
                   ValueError, place(), ": \"", field, "\" is not a number");
      values.push_back(value);
    }
    ++rows;
  }

  CsvTable table;
  table.values = xt::xarray<float>::from_shape({static_cast<std::size_t>(rows), kept.size()});
  std::copy(values.begin(), values.end(), table.values.begin());
  for (std::size_t column : kept) table.column_names.push_back(names[column]);
  return table;
}

}  // namespace strata::data
