#include "api/snake_case.hpp"

#include <cctype>

namespace strata::detail {

// Keras drops non-word characters, then puts "_" before a capital that starts a lowercase
// run ("(.)([A-Z][a-z]+)") and between a lowercase letter and a capital ("([a-z])([A-Z])").
std::string to_snake_case(const std::string& name) {
  std::string word;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') word += c;
  std::string out;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const auto at = [&](std::size_t j) { return static_cast<unsigned char>(word[j]); };
    const bool upper = std::isupper(at(i));
    const bool starts_word = upper && i > 0 && i + 1 < word.size() && std::islower(at(i + 1));
    const bool after_lower = upper && i > 0 && std::islower(at(i - 1));
    if ((starts_word || after_lower) && out.back() != '_') out += '_';
    out += static_cast<char>(std::tolower(at(i)));
  }
  return out;
}

}  // namespace strata::detail
