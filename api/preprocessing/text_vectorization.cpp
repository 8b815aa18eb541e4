#include "strata/preprocessing/text_vectorization.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "strata/error.hpp"

namespace strata {
inline namespace layers {
namespace {

constexpr const char* kMaskToken = "";
constexpr const char* kOovToken = "[UNK]";
// float32 holds every integer up to 2^24 exactly; "int" indices above it would be rounded.
constexpr std::int64_t kExactFloatIntegers = std::int64_t{1} << 24;

// Keras's punctuation class [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']: exactly the 32 ASCII
// punctuation marks. No byte of a multi-byte UTF-8 character is ASCII, and RE2 steps over an
// ill-formed byte without taking the next one, so deleting these bytes is deleting those
// characters, whatever the text holds.
bool is_punctuation(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// tf.strings.split's separators without `sep`: ASCII white space only.
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// Python's repr of a str, as Keras's messages print a list of them: single quotes unless the
// text holds one and no double quote; backslash, the quote and control characters escaped;
// other characters (UTF-8 included) as they are.
std::string py_repr(const std::string& text) {
  const bool double_quotes = text.find('\'') != std::string::npos && text.find('"') == std::string::npos;
  const char quote = double_quotes ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + quote;
}

// Python's repr of a float: the shortest digits that read back, in fixed notation for decimal
// exponents -4..15 (with ".0" when whole), else d.ddde+XX.
std::string py_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const std::size_t e = scientific.find('e');
  const bool negative = scientific[0] == '-';
  std::string digits;
  for (char c : scientific.substr(0, e))
    if (c >= '0' && c <= '9') digits += c;
  const int exponent = std::stoi(scientific.substr(e + 1));
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char tail[16];
    std::snprintf(tail, sizeof tail, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + tail;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const auto whole = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0') + ".0";
  return out + digits.substr(0, whole) + "." + digits.substr(whole);
}

template <class T>
std::string py_list(const std::vector<T>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + py_repr(values[i]);
  return out + "]";
}

// An option Keras's validate_string_arg checks, with its message ("" is Keras's None where
// `allow_none`).
void check_choice(const std::string& value, const std::vector<std::string>& allowed, const char* arg, bool allow_none) {
  if ((allow_none && value.empty()) || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string tuple = "(";
  for (std::size_t i = 0; i < allowed.size(); ++i) tuple += (i ? ", " : "") + py_repr(allowed[i]);
  throw ValueError(detail::concat("Unknown value for `", arg, "` argument of TextVectorization. Allowed values are: ",
                                  tuple, "). Received: ", arg, "=", value));
}

// One UTF-8 character's length at `text[i]` when well formed, else the length of the maximal
// ill-formed subsequence there (negated): what tf.strings.unicode_split turns into one U+FFFD.
int utf8_step(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  int length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the second byte's range
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;  // no UTF-16 surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;  // nothing above U+10FFFF
  } else {
    return -1;  // a continuation byte, or a lead byte no character starts with
  }
  for (int k = 1; k < length; ++k) {
    const std::size_t at = i + static_cast<std::size_t>(k);
    const bool ok =
        at < text.size() && (k == 1 ? byte(at) >= low && byte(at) <= high : byte(at) >= 0x80 && byte(at) <= 0xbf);
    if (!ok) return -k;
  }
  return length;
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

TextVectorization::TextVectorization(TextVectorizationOptions options) : options_(std::move(options)) {
  // Keras's order of checks: TextVectorization's own, then its StringLookup's.
  check_choice(options_.standardize, {"lower_and_strip_punctuation", "lower", "strip_punctuation"}, "standardize",
               true);
  check_choice(options_.split, {"whitespace", "character"}, "split", true);
  if (options_.output_mode == "binary") options_.output_mode = "multi_hot";
  if (options_.output_mode == "tf-idf") options_.output_mode = "tf_idf";
  check_choice(options_.output_mode, {"int", "one_hot", "multi_hot", "count", "tf_idf"}, "output_mode", false);
  // Keras's one_hot gives a vector per token (a rank-3 output) that no Strata input takes.
  STRATA_CHECK(options_.output_mode != "one_hot", ValueError,
               "TextVectorization: output_mode='one_hot' is not supported; use 'int', 'multi_hot', 'count' or "
               "'tf_idf'");
  if (const int* n = std::get_if<int>(&options_.ngrams)) {
    STRATA_CHECK(*n >= 1, ValueError,
                 "`ngrams` must be None, a positive integer, or a tuple of positive integers. Received: ngrams=", *n);
    for (int w = 1; w <= *n; ++w) widths_.push_back(w);
  } else if (const auto* list = std::get_if<std::vector<int>>(&options_.ngrams)) {
    const bool positive = std::all_of(list->begin(), list->end(), [](int w) { return w >= 1; });
    STRATA_CHECK(!list->empty() && positive, ValueError,
                 "`ngrams` must be None, a positive integer, or a tuple of positive integers. Received: ngrams=",
                 nlohmann::json(*list).dump());
    widths_ = *list;
  }
  int_mode_ = options_.output_mode == "int";
  if (!int_mode_ && options_.output_sequence_length)
    throw ValueError(
        detail::concat("`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                       "Received output_sequence_length=",
                       *options_.output_sequence_length, "."));
  STRATA_CHECK(!options_.output_sequence_length || *options_.output_sequence_length >= 0, ValueError,
               "`output_sequence_length` must be None or a non-negative integer. Received: output_sequence_length=",
               *options_.output_sequence_length);
  STRATA_CHECK(options_.encoding == "utf-8", ValueError, "TextVectorization: encoding=", py_repr(options_.encoding),
               " is not supported; Strata reads texts as 'utf-8'");
  if (options_.max_tokens && *options_.max_tokens <= 1)
    throw ValueError(
        detail::concat("If set, `max_tokens` must be greater than 1. Received: max_tokens=", *options_.max_tokens));
  if (options_.pad_to_max_tokens && !options_.max_tokens)
    throw ValueError("If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None");
  if (options_.idf_weights && options_.output_mode != "tf_idf")
    throw ValueError(
        detail::concat("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                       "idf_weights=",
                       py_list(*options_.idf_weights), " and output_mode=", options_.output_mode));
  has_input_vocabulary_ = options_.vocabulary.has_value();
  if (options_.output_mode == "tf_idf" && has_input_vocabulary_ && !options_.idf_weights)
    throw ValueError(
        "When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must also be "
        "provided.");
  if (options_.vocabulary) set_vocabulary(*options_.vocabulary, options_.idf_weights);
}

std::vector<std::string> TextVectorization::tokens(const std::string& text) const {
  std::string standardized;
  standardized.reserve(text.size());
  const bool lower = options_.standardize == "lower" || options_.standardize == "lower_and_strip_punctuation";
  const bool strip =
      options_.standardize == "strip_punctuation" || options_.standardize == "lower_and_strip_punctuation";
  for (unsigned char c : text) {
    if (strip && is_punctuation(c)) continue;
    standardized += static_cast<char>(lower && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  std::vector<std::string> split;
  if (options_.split == "whitespace") {
    std::size_t i = 0;
    while (i < standardized.size()) {
      while (i < standardized.size() && is_space(static_cast<unsigned char>(standardized[i]))) ++i;
      const std::size_t start = i;
      while (i < standardized.size() && !is_space(static_cast<unsigned char>(standardized[i]))) ++i;
      if (i > start) split.push_back(standardized.substr(start, i - start));
    }
  } else if (options_.split == "character") {
    for (std::size_t i = 0; i < standardized.size();) {
      const int step = utf8_step(standardized, i);
      split.push_back(step > 0 ? standardized.substr(i, static_cast<std::size_t>(step)) : "\xef\xbf\xbd");
      i += static_cast<std::size_t>(std::abs(step));
    }
  } else {
    split.push_back(std::move(standardized));
  }
  if (widths_.empty()) return split;
  std::vector<std::string> grams;
  for (int width : widths_) {
    const auto w = static_cast<std::size_t>(width);
    for (std::size_t i = 0; i + w <= split.size(); ++i) {
      std::string gram = split[i];
      for (std::size_t k = 1; k < w; ++k) gram += " " + split[i + k];
      grams.push_back(std::move(gram));
    }
  }
  return grams;
}

std::int64_t TextVectorization::lookup(const std::string& token) const {
  if (token == kMaskToken) return int_mode_ ? 0 : -1;
  const auto it = index_.find(token);
  return it == index_.end() ? oov_index() : it->second;
}

void TextVectorization::check_size_unchanged(std::int64_t size) const {
  if (int_mode_ || options_.pad_to_max_tokens || !has_vocabulary_ || size == vocabulary_size()) return;
  throw StateError(detail::concat("When using `output_mode=", options_.output_mode,
                                  "` and `pad_to_max_tokens=False`, the vocabulary size cannot be changed after the "
                                  "layer is called. Old vocab size is ",
                                  vocabulary_size(), ", new vocab size is ", size));
}

void TextVectorization::install(std::vector<std::string> tokens, std::vector<float> weights) {
  tokens_ = std::move(tokens);
  index_.clear();
  for (std::size_t i = 0; i < tokens_.size(); ++i)
    index_.emplace(tokens_[i], token_start() + static_cast<std::int64_t>(i));
  idf_ = std::move(weights);
  has_vocabulary_ = true;
}

void TextVectorization::adapt(const std::vector<std::string>& texts) {
  // Keras accepts an empty list and keeps whatever vocabulary it had (none on a new layer, which
  // then fails when called): almost always a data-loading bug, so it is named here.
  STRATA_CHECK(!texts.empty(), ValueError, "TextVectorization \"", options_.name,
               "\": adapt() needs at least one text; received an empty list");
  if (has_input_vocabulary_)
    throw ValueError(detail::concat("Cannot adapt layer ", py_repr(options_.name),
                                    " after setting a static vocabulary via `vocabulary` argument or "
                                    "`set_vocabulary()` method."));
  const bool tf_idf = options_.output_mode == "tf_idf";
  std::unordered_map<std::string, std::int64_t> counts;
  std::unordered_map<std::string, std::int64_t> document_counts;
  for (const std::string& text : texts) {
    std::vector<std::string> found = tokens(text);
    for (const std::string& token : found) ++counts[token];
    if (!tf_idf) continue;
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    for (const std::string& token : found) ++document_counts[token];
  }
  counts.erase(kMaskToken);
  counts.erase(kOovToken);
  // Keras keeps its vocabulary when the texts hold no token (its TensorFlow table cannot be
  // built empty; with only special tokens it fails outright): Strata keeps it in both cases.
  if (counts.empty()) return;

  // np.lexsort((tokens, counts))[::-1]: count high to low, then the token's bytes high to low
  // (std::string compares bytes as unsigned, as numpy compares Python bytes).
  std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first > b.first;
  });
  if (options_.max_tokens) {
    const auto keep = static_cast<std::size_t>(std::max<std::int64_t>(0, *options_.max_tokens - token_start()));
    if (sorted.size() > keep) sorted.resize(keep);
  }
  check_size_unchanged(token_start() + static_cast<std::int64_t>(sorted.size()));

  std::vector<std::string> learned;
  learned.reserve(sorted.size());
  for (auto& entry : sorted) learned.push_back(std::move(entry.first));
  std::vector<float> weights;
  if (tf_idf) {
    // log(1 + n / (1 + df)) in float64 (TensorFlow's int64 division), stored as float32; the OOV
    // token's weight is the mean of the learned ones'.
    const auto documents = static_cast<double>(texts.size());
    double sum = 0;
    weights.push_back(0.f);
    for (const std::string& token : learned) {
      const auto df = static_cast<double>(document_counts[token]);
      weights.push_back(static_cast<float>(std::log(1.0 + documents / (1.0 + df))));
      sum += weights.back();
    }
    weights[0] = static_cast<float>(sum / static_cast<double>(learned.size()));
    if (options_.pad_to_max_tokens) weights.resize(static_cast<std::size_t>(*options_.max_tokens), 0.f);
  }
  install(std::move(learned), std::move(weights));
}

void TextVectorization::set_vocabulary(const std::vector<std::string>& vocabulary,
                                       const std::optional<std::vector<double>>& idf_weights) {
  const bool tf_idf = options_.output_mode == "tf_idf";
  if (tf_idf) {
    STRATA_CHECK(idf_weights.has_value(), ValueError, "`idf_weights` must be set if output_mode is 'tf_idf'.");
  } else if (idf_weights) {
    throw ValueError(
        detail::concat("`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                       "output_mode=",
                       options_.output_mode, " and idf_weights=", py_list(*idf_weights)));
  }
  STRATA_CHECK(!vocabulary.empty(), ValueError, "Cannot set an empty vocabulary. Received: vocabulary=[]");
  std::vector<std::string> special;
  if (int_mode_) special.push_back(kMaskToken);
  special.push_back(kOovToken);
  const bool found_special =
      vocabulary.size() >= special.size() && std::equal(special.begin(), special.end(), vocabulary.begin());
  std::vector<std::string> tokens(
      vocabulary.begin() + (found_special ? static_cast<std::ptrdiff_t>(special.size()) : 0), vocabulary.end());

  // Keras lists each repeated term once, in order of first appearance (collections.Counter).
  std::unordered_map<std::string, int> seen;
  std::vector<std::string> repeated;
  for (const std::string& token : tokens)
    if (++seen[token] == 2) repeated.push_back(token);
  if (!repeated.empty())
    throw ValueError(
        detail::concat("The passed vocabulary has at least one repeated term. Please uniquify your "
                       "dataset. The repeated terms are: ",
                       py_list(repeated)));
  if (seen.count(kMaskToken)) {
    std::size_t last = 0;
    for (std::size_t i = 0; i < vocabulary.size(); ++i)
      if (vocabulary[i] == kMaskToken) last = i;
    throw ValueError(detail::concat(
        "Found reserved mask token at unexpected location in `vocabulary`. Note that passed `vocabulary` does not "
        "need to include the OOV and mask tokens. Either remove all mask and OOV tokens, or include them only at the "
        "start of the vocabulary in precisely this order: ",
        py_list(special), ". Received: mask_token= at vocabulary index [", last, "]"));
  }
  const std::int64_t new_size = token_start() + static_cast<std::int64_t>(tokens.size());
  if (options_.max_tokens && new_size > *options_.max_tokens)
    throw ValueError(
        detail::concat("Attempted to set a vocabulary larger than the maximum vocab size. Received "
                       "vocabulary size is ",
                       new_size, "; `max_tokens` is ", *options_.max_tokens, "."));
  check_size_unchanged(new_size);

  std::vector<float> weights;
  if (tf_idf) {
    const std::vector<double>& given = *idf_weights;
    if (given.size() != vocabulary.size())
      throw ValueError(detail::concat("`idf_weights` must be the same length as vocabulary. len(idf_weights) is ",
                                      given.size(), "; len(vocabulary) is ", vocabulary.size()));
    // Weights for the special tokens come with them; without them the OOV token gets the
    // weights' mean (np.average, in float64).
    if (!found_special) {
      double sum = 0;
      for (double w : given) sum += w;
      weights.push_back(static_cast<float>(sum / static_cast<double>(given.size())));
    }
    for (double w : given) weights.push_back(static_cast<float>(w));
    if (options_.pad_to_max_tokens) weights.resize(static_cast<std::size_t>(*options_.max_tokens), 0.f);
  }
  install(std::move(tokens), std::move(weights));
}

xt::xarray<float> TextVectorization::operator()(const std::vector<std::string>& texts) const {
  if (!has_vocabulary_) {
    if (!int_mode_ && !options_.pad_to_max_tokens)
      throw StateError(detail::concat("When using `output_mode=", options_.output_mode,
                                      "` and `pad_to_max_tokens=False`, you must set the layer's vocabulary before "
                                      "calling it. Either pass a `vocabulary` argument to the layer, or call `adapt` "
                                      "with some sample data."));
    throw StateError(detail::concat("TextVectorization \"", options_.name,
                                    "\": you must set the layer's vocabulary before calling it. Either pass a "
                                    "`vocabulary` argument to the layer, or call `adapt` with some sample data."));
  }
  const std::size_t n = texts.size();
  if (int_mode_) {
    STRATA_CHECK(vocabulary_size() - 1 <= kExactFloatIntegers, ValueError, "TextVectorization \"", options_.name,
                 "\": a vocabulary of ", vocabulary_size(),
                 " tokens has indices above 2^24, which float32 outputs cannot hold exactly");
    std::vector<std::vector<std::int64_t>> rows(n);
    std::size_t longest = 0;
    for (std::size_t i = 0; i < n; ++i) {
      for (const std::string& token : tokens(texts[i])) rows[i].push_back(lookup(token));
      longest = std::max(longest, rows[i].size());
    }
    const std::size_t length =
        options_.output_sequence_length ? static_cast<std::size_t>(*options_.output_sequence_length) : longest;
    xt::xarray<float> out = xt::zeros<float>({n, length});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < std::min(length, rows[i].size()); ++j) out(i, j) = static_cast<float>(rows[i][j]);
    return out;
  }
  const auto depth = static_cast<std::size_t>(options_.pad_to_max_tokens ? *options_.max_tokens : vocabulary_size());
  xt::xarray<float> out = xt::zeros<float>({n, depth});
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& token : tokens(texts[i])) {
      const std::int64_t index = lookup(token);
      if (index < 0) continue;  // the mask token, which Keras's bincount drops
      float& cell = out(i, static_cast<std::size_t>(index));
      cell = options_.output_mode == "multi_hot" ? 1.f : cell + 1.f;
    }
  }
  if (options_.output_mode == "tf_idf")
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < depth; ++j) out(i, j) *= idf_[j];
  return out;
}

std::vector<std::string> TextVectorization::get_vocabulary(bool include_special_tokens) const {
  std::vector<std::string> vocabulary;
  if (include_special_tokens) {
    if (int_mode_) vocabulary.emplace_back(kMaskToken);
    vocabulary.emplace_back(kOovToken);
  }
  vocabulary.insert(vocabulary.end(), tokens_.begin(), tokens_.end());
  return vocabulary;
}

std::int64_t TextVectorization::vocabulary_size() const {
  return token_start() + static_cast<std::int64_t>(tokens_.size());
}

std::vector<double> TextVectorization::idf_weights() const {
  if (idf_.empty()) return {};
  return {idf_.begin(), idf_.begin() + vocabulary_size()};
}

nlohmann::json TextVectorization::get_config() const {
  nlohmann::json ngrams = nullptr;
  if (const int* n = std::get_if<int>(&options_.ngrams)) ngrams = *n;
  if (const auto* list = std::get_if<std::vector<int>>(&options_.ngrams)) ngrams = *list;
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  return {
      {"name", options_.name},
      {"trainable", true},
      // Keras writes its float32 policy although the layer computes on strings.
      {"dtype",
       {{"module", "keras"},
        {"class_name", "DTypePolicy"},
        {"config", {{"name", "float32"}}},
        {"registered_name", nullptr}}},
      {"max_tokens", optional_json(options_.max_tokens)},
      {"standardize", text_or_null(options_.standardize)},
      {"split", text_or_null(options_.split)},
      {"ngrams", ngrams},
      {"output_mode", options_.output_mode},
      {"output_sequence_length", optional_json(options_.output_sequence_length)},
      {"pad_to_max_tokens", options_.pad_to_max_tokens},
      {"sparse", false},
      {"ragged", false},
      {"vocabulary", options_.vocabulary ? nlohmann::json(*options_.vocabulary) : nlohmann::json(nullptr)},
      {"idf_weights", options_.idf_weights ? nlohmann::json(*options_.idf_weights) : nlohmann::json(nullptr)},
      {"encoding", options_.encoding},
      {"vocabulary_size", vocabulary_size()},
  };
}

TextVectorization TextVectorization::from_config(const nlohmann::json& config) {
  STRATA_CHECK(config.is_object(), ValueError,
               "TextVectorization.from_config: the config must be a JSON object, "
               "received ",
               config.dump());
  static const std::set<std::string> known = {"name",
                                              "trainable",
                                              "dtype",
                                              "max_tokens",
                                              "standardize",
                                              "split",
                                              "ngrams",
                                              "output_mode",
                                              "output_sequence_length",
                                              "pad_to_max_tokens",
                                              "sparse",
                                              "ragged",
                                              "vocabulary",
                                              "idf_weights",
                                              "encoding",
                                              "vocabulary_size"};
  std::string unknown;
  for (const auto& item : config.items())
    if (!known.count(item.key())) unknown += (unknown.empty() ? "" : ", ") + item.key();
  STRATA_CHECK(unknown.empty(), ValueError, "Unrecognized keyword argument(s) for TextVectorization: ", unknown);
  TextVectorizationOptions options;
  const auto present = [&](const char* key) { return config.contains(key) && !config[key].is_null(); };
  try {
    if (present("name")) options.name = config["name"].get<std::string>();
    if (present("max_tokens")) options.max_tokens = config["max_tokens"].get<std::int64_t>();
    if (config.contains("standardize"))
      options.standardize = config["standardize"].is_null() ? "" : config["standardize"].get<std::string>();
    if (config.contains("split")) options.split = config["split"].is_null() ? "" : config["split"].get<std::string>();
    if (present("ngrams")) {
      const nlohmann::json& ngrams = config["ngrams"];
      if (ngrams.is_array())
        options.ngrams = ngrams.get<std::vector<int>>();
      else
        options.ngrams = ngrams.get<int>();
    }
    if (present("output_mode")) options.output_mode = config["output_mode"].get<std::string>();
    if (present("output_sequence_length"))
      options.output_sequence_length = config["output_sequence_length"].get<std::int64_t>();
    if (present("pad_to_max_tokens")) options.pad_to_max_tokens = config["pad_to_max_tokens"].get<bool>();
    for (const char* key : {"sparse", "ragged"})
      STRATA_CHECK(!present(key) || !config[key].get<bool>(), ValueError, "TextVectorization: `", key,
                   "=True` is not supported; Strata's outputs are dense arrays");
    if (present("vocabulary")) options.vocabulary = config["vocabulary"].get<std::vector<std::string>>();
    if (present("idf_weights")) options.idf_weights = config["idf_weights"].get<std::vector<double>>();
    if (present("encoding")) options.encoding = config["encoding"].get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(
        detail::concat("TextVectorization.from_config: a value of the wrong type in ", config.dump(), ": ", e.what()));
  }
  return TextVectorization(std::move(options));
}

}  // namespace layers
}  // namespace strata
