#pragma once
// Python's str.format for ModelCheckpoint's file paths: `{name}` and `{name:spec}` fields over
// named numbers ("epoch" and "batch" are integers, log values floats), with the format-spec
// mini-language's fill, align, sign, zero padding, width, precision and the types d, f, F, e,
// E, g, G, % and none. `{{` and `}}` are literal braces.

#include <map>
#include <string>
#include <string_view>

namespace strata::detail {

// A value for a field: Python's int or float.
struct FormatValue {
  double value = 0.0;
  bool integer = false;
};

// Formats `pattern`. A field naming no value raises KeyError-like ValueError text "'<name>'" via
// the caller; here it throws strata::ValueError("'<name>'"); a bad spec throws ValueError with
// Python's wording ("Unknown format code 'd' for object of type 'float'").
std::string python_format(std::string_view pattern, const std::map<std::string, FormatValue>& values);

}  // namespace strata::detail
