#include "api/callbacks/python_format.hpp"

#include <cmath>
#include <cstdio>
#include <optional>

#include "optimizers/config.hpp"
#include "strata/error.hpp"

namespace strata::detail {
namespace {

struct Spec {
  char fill = ' ';
  char align = 0;  // '<', '>', '^', '=' or none
  char sign = '-';
  bool zero = false;
  int width = 0;
  std::optional<int> precision;
  char type = 0;
};

Spec parse_spec(std::string_view spec, std::string_view whole) {
  Spec s;
  std::size_t i = 0;
  const auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (spec.size() >= 2 && is_align(spec[1])) {
    s.fill = spec[0];
    s.align = spec[1];
    i = 2;
  } else if (!spec.empty() && is_align(spec[0])) {
    s.align = spec[0];
    i = 1;
  }
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) s.sign = spec[i++];
  if (i < spec.size() && spec[i] == '0') {
    s.zero = true;
    ++i;
  }
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i])))
    s.width = s.width * 10 + (spec[i++] - '0');
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    int p = 0;
    const std::size_t start = i;
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) p = p * 10 + (spec[i++] - '0');
    STRATA_CHECK(i > start, ValueError, "Format specifier missing precision in \"", whole, "\"");
    s.precision = p;
  }
  if (i < spec.size()) s.type = spec[i++];
  STRATA_CHECK(i == spec.size(), ValueError, "Invalid format specifier '", spec, "' in \"", whole, "\"");
  return s;
}

std::string printf_double(const char* format, int precision, double value) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, precision, value);
  return buffer;
}

// The digits of `v` under `s`, without the sign.
std::string body(const Spec& s, const FormatValue& v, std::string_view name) {
  const double a = std::fabs(v.value);
  if (std::isnan(a)) return s.type == 'F' || s.type == 'E' || s.type == 'G' ? "NAN" : "nan";
  if (std::isinf(a)) return s.type == 'F' || s.type == 'E' || s.type == 'G' ? "INF" : "inf";
  switch (s.type) {
    case 'd':
      STRATA_CHECK(v.integer, ValueError, "Unknown format code 'd' for object of type 'float' (field '", name, "')");
      return printf_double("%.*f", 0, a);
    case 'f':
    case 'F': return printf_double("%.*f", s.precision.value_or(6), a);
    case 'e': return printf_double("%.*e", s.precision.value_or(6), a);
    case 'E': return printf_double("%.*E", s.precision.value_or(6), a);
    case '%': return printf_double("%.*f", s.precision.value_or(6), a * 100.0) + "%";
    case 'g':
    case 'G': {
      // Python's g: precision p (0 -> 1), scientific when exp < -4 or exp >= p, trailing zeros dropped.
      const int p = std::max(1, s.precision.value_or(6));
      return printf_double(s.type == 'g' ? "%.*g" : "%.*G", p, a);
    }
    case 0:
      if (v.integer) return printf_double("%.*f", 0, a);
      if (s.precision) {
        // Python's format with a precision and no type: like g, but always a digit after '.' when no exponent.
        std::string out = printf_double("%.*g", std::max(1, *s.precision), a);
        if (out.find_first_of(".e") == std::string::npos) out += ".0";
        return out;
      }
      return optimizers::detail::py_repr(a);
    default:
      throw ValueError(concat("Unknown format code '", s.type, "' for object of type '", v.integer ? "int" : "float",
                              "' (field '", name, "')"));
  }
}

std::string format_field(const Spec& s, const FormatValue& v, std::string_view name) {
  std::string digits = body(s, v, name);
  std::string sign;
  if (std::signbit(v.value) && !std::isnan(v.value) && !(v.integer && v.value == 0))
    sign = "-";
  else if (s.sign == '+')
    sign = "+";
  else if (s.sign == ' ')
    sign = " ";
  const std::size_t len = sign.size() + digits.size();
  if (static_cast<std::size_t>(s.width) <= len) return sign + digits;
  const std::size_t pad = s.width - len;
  char align = s.align;
  char fill = s.fill;
  if (!align && s.zero) {
    align = '=';
    fill = '0';
  }
  if (!align) align = '>';  // numbers align right
  switch (align) {
    case '<': return sign + digits + std::string(pad, fill);
    case '^': return std::string(pad / 2, fill) + sign + digits + std::string(pad - pad / 2, fill);
    case '=': return sign + std::string(pad, fill) + digits;
    default: return std::string(pad, fill) + sign + digits;
  }
}

}  // namespace

std::string python_format(std::string_view pattern, const std::map<std::string, FormatValue>& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      const std::size_t close = pattern.find('}', i);
      STRATA_CHECK(close != std::string_view::npos, ValueError, "Single '{' encountered in format string \"", pattern,
                   "\"");
      const std::string_view field = pattern.substr(i + 1, close - i - 1);
      const std::size_t colon = field.find(':');
      const std::string name(field.substr(0, colon));
      const auto it = values.find(name);
      if (it == values.end()) throw ValueError(concat("'", name, "'"));
      const Spec spec =
          parse_spec(colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1), pattern);
      out += format_field(spec, it->second, name);
      i = close;
    } else {
      STRATA_CHECK(c != '}', ValueError, "Single '}' encountered in format string \"", pattern, "\"");
      out += c;
    }
  }
  return out;
}

}  // namespace strata::detail
