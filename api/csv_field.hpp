#pragma once
// A CSV field as Python's csv module writes it (QUOTE_MINIMAL, the excel dialect): a field
// holding the delimiter, a quote or a line break is quoted, its quotes doubled. History::to_csv
// and CSVLogger both write Keras CSVLogger's file.

#include <string>

namespace strata::detail {

inline std::string csv_field(const std::string& text, char delimiter = ',') {
  if (text.find_first_of(std::string("\"\r\n") + delimiter) == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace strata::detail
