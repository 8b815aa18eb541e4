#pragma once
/// @class strata::layers::TextVectorization
/// TextVectorization: turns texts into token indices or per-text token vectors, as
/// keras.layers.TextVectorization, for texts held on the host as `std::vector<std::string>`.
/// It is a preprocessing object, not a strata::Layer (Strata tensors hold no strings): its output
/// is an `xt::xarray<float>` to give to Model::fit / predict, as a Keras user runs the layer in
/// the input pipeline outside the model.
///
///     TextVectorization vectorize({.max_tokens = 20000, .output_sequence_length = 200});
///     vectorize.adapt(train_texts);                     // learns the vocabulary
///     xt::xarray<float> x = vectorize(train_texts);     // (n, 200) token indices, 0 = padding
///     TextVectorization bag({.max_tokens = 5000, .output_mode = "tf_idf"});  // one row of weights per text
///
/// Each text goes through Keras's steps, in UTF-8 bytes:
/// 1. standardize: "lower" lower-cases ASCII letters only (tf.strings.lower's default: "À" and
///    "ß" stay as they are); "strip_punctuation" deletes every character of Keras's class
///    (below), i.e. the 32 ASCII punctuation marks, apostrophe and hyphen included ("don't" ->
///    "dont"), and nothing else (curly quotes and dashes stay); "lower_and_strip_punctuation"
///    (the default) does both.
///
///        [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']
///
/// 2. split: "whitespace" splits at runs of the six ASCII white-space characters (space, \\t,
///    \\n, \\v, \\f, \\r; a no-break space does not split) and yields no empty token; "character"
///    yields each UTF-8 character, each maximal ill-formed byte sequence becoming one U+FFFD
///    (tf.strings.unicode_split's "replace"); none ("") keeps the whole text as one token.
/// 3. ngrams: for each width in turn (1..n for an int n, the given widths in order for a list),
///    every run of that many consecutive tokens joined by one space; texts shorter than a width
///    give no n-gram of that width.
/// 4. lookup and output (`output_mode`):
///    - "int": the tokens' indices, index 0 the padding (mask) token "", 1 the OOV token "[UNK]",
///      learned tokens from 2; shape (texts, L), L = output_sequence_length (longer texts cut,
///      shorter ones padded with 0) or the longest text of this call. Indices are stored as
///      float32 values, exact below 2^24: the form Model::fit takes (an int32 Input converts
///      them back).
///    - "multi_hot", "count", "tf_idf" ("binary" and "tf-idf" are Keras's aliases): one row per
///      text over the vocabulary (index 0 the OOV token, learned tokens from 1), width
///      vocabulary_size(), or max_tokens with pad_to_max_tokens: 1 where a token occurs, its
///      count, or its count times its IDF weight. An empty token (a text "" with no split) is
///      the mask token and counts nowhere.
///
/// adapt() learns the vocabulary as Keras does: tokens by count, high to low, ties broken by
/// the tokens' bytes, high to low (so "b" before "a b" before "a"); the special tokens are
/// never learned; max_tokens includes them (at most max_tokens - 2 learned tokens in "int",
/// max_tokens - 1 otherwise). In "tf_idf" each token's weight is log(1 + n / (1 + df)) (n texts,
/// df of them holding the token), the OOV token's the mean of the others'.
///
/// Differences from Keras: there is no `sparse`, `ragged`, callable standardize or split, file
/// vocabulary or "one_hot" output; `encoding` must be "utf-8". adapt() with an empty list is a
/// ValueError (Keras silently keeps whatever vocabulary it had). Where Keras's TensorFlow tables
/// fail (max_tokens = 2 in "int", where no token can be learned; texts whose only tokens are the
/// special ones), Strata gives the special tokens alone, or keeps the previous vocabulary as
/// Keras does for texts without tokens. Keras's RuntimeErrors (a call before any vocabulary, a
/// vocabulary size changed under "multi_hot"/"count"/"tf_idf") are StateErrors, in Keras's words.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <xtensor/xarray.hpp>

namespace strata {
inline namespace layers {

/// Keras's `ngrams`: none (std::monostate), an int n (widths 1..n) or a list of widths.
using Ngrams = std::variant<std::monostate, int, std::vector<int>>;

/// The arguments of TextVectorization, with Keras's names and defaults.
struct TextVectorizationOptions {
  /// The vocabulary's largest size, the padding and OOV tokens included; none: no limit. Greater
  /// than 1 when given.
  std::optional<std::int64_t> max_tokens = std::nullopt;
  /// "lower_and_strip_punctuation", "lower", "strip_punctuation", or "" for none (Keras's None).
  std::string standardize = "lower_and_strip_punctuation";
  /// "whitespace", "character", or "" for none (each text is one token).
  std::string split = "whitespace";
  /// The n-grams made from the split tokens (see the class documentation); none by default.
  Ngrams ngrams = {};
  /// "int", "multi_hot", "count" or "tf_idf" ("binary" and "tf-idf" are read as Keras reads them).
  std::string output_mode = "int";
  /// "int" only: every output row has this many indices (cut or padded with 0); none: the longest
  /// text of the call.
  std::optional<std::int64_t> output_sequence_length = std::nullopt;
  /// "multi_hot", "count", "tf_idf": rows are max_tokens wide whatever the vocabulary's size.
  bool pad_to_max_tokens = false;
  /// A vocabulary given up front instead of adapt() (optionally starting with the special tokens,
  /// "" and "[UNK]" in "int", "[UNK]" otherwise); such a layer cannot be adapted.
  std::optional<std::vector<std::string>> vocabulary = std::nullopt;
  /// "tf_idf" with `vocabulary`: one IDF weight per vocabulary entry (required there). Doubles, as
  /// Keras's config keeps them; the layer uses them as float32.
  std::optional<std::vector<double>> idf_weights = std::nullopt;
  /// The texts' encoding; only "utf-8".
  std::string encoding = "utf-8";
  /// The name Keras's config carries and its messages quote.
  std::string name = "text_vectorization";
};

class TextVectorization {
 public:
  /// Makes the object from Keras's arguments and sets `vocabulary` when given. ValueError, in
  /// Keras's words, for an unknown standardize, split or output_mode, max_tokens <= 1,
  /// pad_to_max_tokens without max_tokens, output_sequence_length outside "int", idf_weights
  /// outside "tf_idf" or a "tf_idf" vocabulary without them, and set_vocabulary's errors; also
  /// for what Strata does not support (encoding other than "utf-8", "one_hot", ngram widths < 1,
  /// a negative output_sequence_length).
  explicit TextVectorization(TextVectorizationOptions options = {});

  /// Learns the vocabulary (and in "tf_idf" the IDF weights) from `texts`, replacing the one
  /// before (see the class documentation). Texts that give no token at all leave the vocabulary
  /// as it was, as in Keras. ValueError for an empty list or a layer made with `vocabulary`
  /// (Keras's message); StateError when in "multi_hot", "count" or "tf_idf" without
  /// pad_to_max_tokens the vocabulary size would change (Keras's message), the layer unchanged.
  void adapt(const std::vector<std::string>& texts);

  /// The texts' token indices ("int", shape (texts, L)) or token vectors (shape (texts, width)),
  /// as float32 (see the class documentation). StateError before any vocabulary (Keras's message).
  xt::xarray<float> operator()(const std::vector<std::string>& texts) const;

  /// The vocabulary in index order: "" and "[UNK]" first in "int", "[UNK]" first otherwise,
  /// unless `include_special_tokens` is false. Before any vocabulary: the special tokens only.
  std::vector<std::string> get_vocabulary(bool include_special_tokens = true) const;
  /// The number of indices, the special tokens included.
  std::int64_t vocabulary_size() const;
  /// Replaces the vocabulary (and IDF weights, which "tf_idf" needs and the other modes refuse;
  /// one per vocabulary entry). A vocabulary starting with the special tokens is taken as it is,
  /// its weights including theirs; otherwise the special tokens are put in front, the OOV token
  /// weighted with the mean of the given weights. With pad_to_max_tokens the weights are padded
  /// with zeros to max_tokens. ValueError, in Keras's words, for an empty vocabulary, repeated
  /// terms, "" anywhere but in front, more than max_tokens entries or weights of another
  /// length; StateError for a size change as in adapt(). Nothing changes on an error.
  void set_vocabulary(const std::vector<std::string>& vocabulary,
                      const std::optional<std::vector<double>>& idf_weights = std::nullopt);
  /// "tf_idf": the weight of each vocabulary index (the OOV token's first), float32 as the layer
  /// multiplies them; empty in the other modes or before any vocabulary. The columns that
  /// pad_to_max_tokens adds weigh 0 and are not listed, so that
  /// set_vocabulary(get_vocabulary(), idf_weights()) restores the weights in every case.
  std::vector<double> idf_weights() const;

  /// Keras's config: the arguments under Keras's keys (name, trainable, dtype, max_tokens,
  /// standardize, split, ngrams, output_mode, output_sequence_length, pad_to_max_tokens, sparse,
  /// ragged, vocabulary, idf_weights, encoding, vocabulary_size). As in Keras, `vocabulary` and
  /// `idf_weights` are the constructor's, not what adapt() learned: carry a learned vocabulary
  /// with get_vocabulary() and set_vocabulary().
  nlohmann::json get_config() const;
  /// Makes a TextVectorization from a config get_config() or Keras wrote (missing keys take their
  /// defaults; vocabulary_size, trainable and dtype are read over). ValueError for sparse or
  /// ragged true, an unknown key or a value of the wrong type.
  static TextVectorization from_config(const nlohmann::json& config);

  /// The options the object was made with (output_mode with Keras's aliases resolved).
  const TextVectorizationOptions& options() const { return options_; }
  /// The name given in the options.
  const std::string& name() const { return options_.name; }

 private:
  // The tokens of one text after standardize, split and ngrams.
  std::vector<std::string> tokens(const std::string& text) const;
  // The index of one token (the mask token gives 0 in "int" and -1, counted nowhere, otherwise).
  std::int64_t lookup(const std::string& token) const;
  // 1 in "int" (the padding index comes first), else 0.
  std::int64_t oov_index() const { return int_mode_ ? 1 : 0; }
  std::int64_t token_start() const { return oov_index() + 1; }
  // Keras's check that a vocabulary of `size` may replace the current one.
  void check_size_unchanged(std::int64_t size) const;
  // Installs learned or given tokens (the special tokens excluded) and the weights of every index.
  void install(std::vector<std::string> tokens, std::vector<float> weights);

  TextVectorizationOptions options_;
  bool int_mode_ = true;
  std::vector<int> widths_;  // the n-gram widths; empty: no n-grams
  bool has_input_vocabulary_ = false;
  bool has_vocabulary_ = false;
  std::vector<std::string> tokens_;                      // learned or given, without the special tokens
  std::unordered_map<std::string, std::int64_t> index_;  // token -> its index
  std::vector<float> idf_;                               // "tf_idf": one per output index
};

}  // namespace layers
}  // namespace strata
