// TextVectorization against real Keras: vocabularies, IDF weights, configs, outputs and error
// messages from tests/golden/text_vectorization.json (written by
// tests/golden/make_text_vectorization_goldens.py from the GPL's text and Vim's digraph table).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/message_contains.hpp"
#include "strata/error.hpp"
#include "strata/layers/dense.hpp"
#include "strata/layers/input_layer.hpp"
#include "strata/preprocessing/text_vectorization.hpp"
#include "strata/sequential.hpp"
#include "support/goldens.hpp"

using namespace strata;

namespace {

const nlohmann::json& goldens() { return testing::golden_file("text_vectorization.json"); }

// A case's texts: a list of strings, or a slice {corpus, start, stop} of the file's corpora.
std::vector<std::string> texts_of(const nlohmann::json& texts) {
  if (texts.is_array()) return texts.get<std::vector<std::string>>();
  const nlohmann::json& corpus = goldens()["corpora"][texts["corpus"].get<std::string>()];
  std::vector<std::string> out;
  for (std::size_t i = texts["start"].get<std::size_t>(); i < texts["stop"].get<std::size_t>(); ++i)
    out.push_back(corpus[i].get<std::string>());
  return out;
}

std::vector<std::string> inputs_of(const nlohmann::json& c) {
  if (!c.contains("inputs_bytes")) return texts_of(c["inputs"]);
  std::vector<std::string> out;
  for (const nlohmann::json& bytes : c["inputs_bytes"]) {
    std::string text;
    for (const nlohmann::json& b : bytes) text += static_cast<char>(b.get<int>());
    out.push_back(text);
  }
  return out;
}

// The case's constructor arguments as a config, named as Keras's layer was.
nlohmann::json config_of(const nlohmann::json& c) {
  nlohmann::json config = c.contains("options") ? c["options"] : c["steps"]["options"];
  if (c.contains("config")) config["name"] = c["name"];
  return config;
}

std::optional<std::vector<double>> idf_of(const nlohmann::json& c) {
  if (!c.contains("set_idf_weights")) return std::nullopt;
  return c["set_idf_weights"].get<std::vector<double>>();
}

// Same shape and values (Catch cannot decompose xtensor's ==).
bool same(const xt::xarray<float>& got, const xt::xarray<float>& want) {
  return got.shape() == want.shape() && std::equal(got.begin(), got.end(), want.begin());
}

std::vector<std::size_t> shape_of(const xt::xarray<float>& a) { return {a.shape().begin(), a.shape().end()}; }

bool close(double got, double want, double rel = 1e-6) {
  return std::abs(got - want) <= rel * std::max(1.0, std::abs(want));
}

// The class Keras's exception maps to and the message Strata gives, from running `steps`.
struct Raised {
  std::string type;
  std::string message;
};

Raised raised_by(const std::function<void()>& steps) {
  try {
    steps();
  } catch (const StateError& e) {
    return {"RuntimeError", e.what()};  // Keras's RuntimeError of a step out of order
  } catch (const ValueError& e) {
    return {"ValueError", e.what()};
  } catch (const std::exception& e) {
    return {"other", e.what()};
  }
  return {"nothing", ""};
}

}  // namespace

TEST_CASE("TextVectorization goldens come from Keras 3 on real text", "[preprocessing][text_vectorization][golden]") {
  CHECK(goldens()["keras_version"].get<std::string>().rfind("3.", 0) == 0);
  CHECK(goldens()["cases"].size() >= 40);
  CHECK(goldens()["errors"].size() >= 20);
  CHECK(goldens()["corpora"]["gpl_paragraphs"].size() > 100);
}

TEST_CASE("TextVectorization matches Keras", "[preprocessing][text_vectorization][golden]") {
  for (const nlohmann::json& c : goldens()["cases"]) {
    const std::string name = c["name"].get<std::string>();
    INFO("case " << name << ": " << c["options"].dump());
    TextVectorization layer = TextVectorization::from_config(config_of(c));
    if (c.contains("adapt")) layer.adapt(texts_of(c["adapt"]));
    if (c.contains("adapt_again")) layer.adapt(texts_of(c["adapt_again"]));
    if (c.contains("set_vocabulary"))
      layer.set_vocabulary(c["set_vocabulary"].get<std::vector<std::string>>(), idf_of(c));

    const auto vocabulary = c["vocabulary"].get<std::vector<std::string>>();
    REQUIRE(layer.get_vocabulary() == vocabulary);
    CHECK(layer.vocabulary_size() == c["vocabulary_size"].get<std::int64_t>());
    const std::size_t specials = layer.options().output_mode == "int" ? 2 : 1;
    CHECK(layer.get_vocabulary(false) == std::vector<std::string>(vocabulary.begin() + specials, vocabulary.end()));
    CHECK(layer.get_config() == c["config"]);
    if (c.contains("idf_weights")) {
      // Keras's weights run on over the columns pad_to_max_tokens adds, with zeros; Strata lists
      // one weight per vocabulary index.
      const auto want = c["idf_weights"].get<std::vector<double>>();
      const std::vector<double> got = layer.idf_weights();
      REQUIRE(got.size() == vocabulary.size());
      REQUIRE(want.size() >= got.size());
      for (std::size_t i = got.size(); i < want.size(); ++i) CHECK(want[i] == 0);
      for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("idf weight " << i << " (" << (i < vocabulary.size() ? vocabulary[i] : "padding") << ")");
        CHECK(close(got[i], want[i]));
      }
    }

    const xt::xarray<float> y = layer(inputs_of(c));
    const auto shape = c["output_shape"].get<std::vector<std::size_t>>();
    REQUIRE(shape_of(y) == shape);
    const nlohmann::json& want = c["output"];
    REQUIRE(y.size() == want.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      INFO("element " << i << " (row " << i / shape[1] << ", column " << i % shape[1] << "): strata " << y.data()[i]
                      << ", keras " << want[i].dump());
      // Indices and counts are exact; tf_idf products are float32 on both sides.
      if (want[i].is_number_integer())
        REQUIRE(y.data()[i] == want[i].get<double>());
      else
        REQUIRE(close(y.data()[i], want[i].get<double>()));
    }
  }
}

TEST_CASE("TextVectorization raises Keras's errors", "[preprocessing][text_vectorization][golden]") {
  for (const nlohmann::json& e : goldens()["errors"]) {
    const nlohmann::json& steps = e["steps"];
    INFO("error case " << e["name"].get<std::string>() << "; Keras said: " << e["message"].get<std::string>());
    const Raised got = raised_by([&] {
      TextVectorization layer = TextVectorization::from_config(steps["options"]);
      if (steps.contains("adapt")) layer.adapt(texts_of(steps["adapt"]));
      if (steps.contains("adapt_again")) layer.adapt(texts_of(steps["adapt_again"]));
      if (steps.contains("set_vocabulary"))
        layer.set_vocabulary(steps["set_vocabulary"].get<std::vector<std::string>>(), idf_of(steps));
      if (steps.contains("call")) layer(texts_of(steps["call"]));
    });
    CHECK(got.type == e["type"].get<std::string>());
    CHECK(got.message == e["expected"].get<std::string>());
  }
}

TEST_CASE("TextVectorization leaves the layer as it was after a refused vocabulary",
          "[preprocessing][text_vectorization]") {
  TextVectorization layer({.output_mode = "count"});
  layer.adapt({"a b b"});
  REQUIRE_THROWS_AS(layer.adapt({"a b c"}), StateError);  // the size would change
  REQUIRE_THROWS_AS(layer.set_vocabulary({"x", "y", "x"}), ValueError);
  CHECK(layer.get_vocabulary() == std::vector<std::string>{"[UNK]", "b", "a"});
  layer.adapt({"c c d"});  // the same size is fine
  CHECK(layer.get_vocabulary() == std::vector<std::string>{"[UNK]", "c", "d"});
}

TEST_CASE("TextVectorization reproduces Keras's docstring example", "[preprocessing][text_vectorization]") {
  // keras.layers.TextVectorization's own example and its printed output.
  TextVectorization vectorize({.max_tokens = 5000, .output_mode = "int", .output_sequence_length = 4});
  vectorize.adapt({"foo bar", "bar baz", "baz bada boom"});
  const xt::xarray<float> want = {{4, 1, 3, 0}, {1, 2, 0, 0}};
  CHECK(same(vectorize({"foo qux bar", "qux baz"}), want));
  TextVectorization given({.max_tokens = 5000,
                           .output_sequence_length = 4,
                           .vocabulary = std::vector<std::string>{"earth", "wind", "and", "fire"}});
  CHECK(given.get_vocabulary() == std::vector<std::string>{"", "[UNK]", "earth", "wind", "and", "fire"});
}

TEST_CASE("TextVectorization's int outputs: padding, truncation and empty texts",
          "[preprocessing][text_vectorization]") {
  TextVectorization layer;
  layer.adapt({"the cat sat", "the dog"});  // the (2), then ties high to low: sat, dog, cat
  CHECK(layer.get_vocabulary() == std::vector<std::string>{"", "[UNK]", "the", "sat", "dog", "cat"});
  CHECK(same(layer({"The CAT, sat!", "", "emu"}), xt::xarray<float>{{2, 5, 3}, {0, 0, 0}, {1, 0, 0}}));
  CHECK(shape_of(layer({"", " ,, "})) == std::vector<std::size_t>{2, 0});  // no token: zero columns, as Keras
  TextVectorization cut({.output_sequence_length = 2});
  cut.adapt({"the cat sat", "the dog"});
  CHECK(same(cut({"the cat sat", "dog"}), xt::xarray<float>{{2, 5}, {4, 0}}));
}

TEST_CASE("TextVectorization n-grams follow tf.strings.ngrams", "[preprocessing][text_vectorization]") {
  TextVectorization layer({.ngrams = 2, .vocabulary = std::vector<std::string>{"a", "a b", "b c", "c"}});
  // 1-grams a b c, then 2-grams "a b" "b c": b is OOV.
  CHECK(same(layer({"a b c"}), xt::xarray<float>{{2, 1, 5, 3, 4}}));
  TextVectorization widths({.ngrams = std::vector<int>{3}, .vocabulary = std::vector<std::string>{"a b c"}});
  CHECK(same(widths({"a b c d", "a b"}), xt::xarray<float>{{2, 1}, {0, 0}}));  // "a b" is shorter than 3
}

TEST_CASE("TextVectorization's tf_idf weights restore through set_vocabulary", "[preprocessing][text_vectorization]") {
  const std::vector<std::string> texts = {"free software", "free speech, not free beer", "software freedom"};
  const bool pad = GENERATE(false, true);
  const TextVectorizationOptions options{.max_tokens = 20, .output_mode = "tf_idf", .pad_to_max_tokens = pad};
  TextVectorization learned(options);
  learned.adapt(texts);
  CHECK(learned(texts).shape()[1] == (pad ? 20 : 7));
  TextVectorization restored(options);
  restored.set_vocabulary(learned.get_vocabulary(), learned.idf_weights());
  CHECK(restored.get_vocabulary() == learned.get_vocabulary());
  CHECK(restored.idf_weights() == learned.idf_weights());
  CHECK(same(restored(texts), learned(texts)));
  // free: in 2 of 3 texts: log(1 + 3/3); twice in the second text.
  const std::vector<std::string> vocabulary = learned.get_vocabulary();
  const auto free =
      static_cast<std::size_t>(std::find(vocabulary.begin(), vocabulary.end(), "free") - vocabulary.begin());
  const xt::xarray<float> y = learned(texts);
  CHECK(y(1, free) == Approx(2 * std::log(2.0)));
}

TEST_CASE("TextVectorization refuses what Strata does not support", "[preprocessing][text_vectorization]") {
  using strata::testing::MessageContains;
  CHECK_THROWS_MATCHES(TextVectorization({.output_mode = "one_hot"}), ValueError,
                       MessageContains("'one_hot' is not supported"));
  CHECK_THROWS_MATCHES(TextVectorization({.encoding = "latin-1"}), ValueError, MessageContains("encoding='latin-1'"));
  CHECK_THROWS_MATCHES(TextVectorization({.ngrams = 0}), ValueError, MessageContains("Received: ngrams=0"));
  CHECK_THROWS_MATCHES(TextVectorization({.ngrams = std::vector<int>{2, -1}}), ValueError,
                       MessageContains("Received: ngrams=[2,-1]"));
  CHECK_THROWS_MATCHES(TextVectorization({.output_sequence_length = -1}), ValueError,
                       MessageContains("output_sequence_length=-1"));
  CHECK_THROWS_MATCHES(TextVectorization::from_config({{"sparse", true}}), ValueError,
                       MessageContains("`sparse=True` is not supported"));
  CHECK_THROWS_MATCHES(TextVectorization::from_config({{"ragged", true}}), ValueError,
                       MessageContains("`ragged=True` is not supported"));
  CHECK_THROWS_MATCHES(TextVectorization::from_config({{"max_token", 5}}), ValueError,
                       MessageContains("Unrecognized keyword argument(s) for TextVectorization: max_token"));
  CHECK_THROWS_MATCHES(TextVectorization::from_config({{"max_tokens", "many"}}), ValueError,
                       MessageContains("a value of the wrong type"));
  TextVectorization layer;
  CHECK_THROWS_MATCHES(layer.adapt({}), ValueError, MessageContains("adapt() needs at least one text"));
  // Keras's int mode fails here too (its lookup table is not initialised), with no message.
  CHECK_THROWS_MATCHES(layer({"a"}), StateError, MessageContains("you must set the layer's vocabulary"));
  CHECK(layer.get_vocabulary() == std::vector<std::string>{"", "[UNK]"});
  CHECK(layer.vocabulary_size() == 2);
}

TEST_CASE("TextVectorization's config round-trips", "[preprocessing][text_vectorization]") {
  TextVectorizationOptions options{.max_tokens = 40,
                                   .standardize = "",
                                   .split = "character",
                                   .ngrams = std::vector<int>{1, 3},
                                   .output_mode = "tf_idf",
                                   .pad_to_max_tokens = true,
                                   .vocabulary = std::vector<std::string>{"a", "b"},
                                   .idf_weights = std::vector<double>{0.1, 1.3},
                                   .name = "chars"};
  const TextVectorization layer(options);
  const nlohmann::json config = layer.get_config();
  CHECK(config["standardize"].is_null());
  CHECK(config["ngrams"] == nlohmann::json::array({1, 3}));
  CHECK(config["idf_weights"] == nlohmann::json::array({0.1, 1.3}));  // as given, not rounded to float32
  CHECK(TextVectorization::from_config(config).get_config() == config);
}

TEST_CASE("TextVectorization's output trains a model", "[preprocessing][text_vectorization]") {
  const auto& paragraphs = goldens()["corpora"]["gpl_paragraphs"];
  std::vector<std::string> texts;
  xt::xarray<float> labels = xt::zeros<float>({paragraphs.size(), std::size_t{1}});
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    texts.push_back(paragraphs[i].get<std::string>());
    labels(i, 0) = texts.back().find("License") != std::string::npos ? 1.f : 0.f;
  }
  TextVectorization vectorize({.max_tokens = 200, .output_mode = "multi_hot"});
  vectorize.adapt(texts);
  const xt::xarray<float> x = vectorize(texts);
  REQUIRE(shape_of(x) == std::vector<std::size_t>{texts.size(), 200});
  Sequential model({Input({200}), Dense(1, "sigmoid")});
  model.compile("adam", "binary_crossentropy");
  const History history = model.fit(x, labels, {.epochs = 2, .verbose = 0});
  CHECK(std::isfinite(history.history.at("loss").back()));
}
