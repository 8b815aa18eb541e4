#!/usr/bin/env python3
"""Writes tests/golden/text_vectorization.json: vocabularies, IDF weights, configs, outputs and
error messages of keras.layers.TextVectorization (real Keras 3) on real English text.

The C++ test (tests/preprocessing/text_vectorization_test.cpp) reads the JSON and never runs
Python. To regenerate (the output is the same byte for byte on each run):

    KERAS_BACKEND=jax .venv-bench/bin/python tests/golden/make_text_vectorization_goldens.py

Keras's TextVectorization runs on TensorFlow whatever the backend (tf.strings, tf.lookup), so it
needs TensorFlow installed: `.venv-keras` (Keras and JAX, no TensorFlow) cannot import it, and
these goldens come from `.venv-bench` (TensorFlow 2.21 and Keras 3, scripts/bench-venv) with
the JAX backend selected, as a Keras user outside TensorFlow would run the layer.

The texts are real: the paragraphs of the GNU GPL version 3 as Debian's base-files package
ships it (/usr/share/common-licenses/GPL-3; hyphens, apostrophes, quotes, brackets, runs of
spaces and newlines) and lines of Vim's digraph table (/usr/share/vim/vim90/doc/digraph.txt,
package vim-runtime; accented Latin, Greek, Cyrillic, katakana, symbols: two- and three-byte
UTF-8). The files are read here only: the JSON holds every input string (under "corpora", which
the cases slice as {"corpus", "start", "stop"}), so the C++ test does not need them.

Every case holds the constructor's arguments (`options`, Keras's names), the texts `adapt` saw
(or the vocabulary given to `set_vocabulary`), the texts the layer was called on, and what Keras
gave: get_vocabulary(), vocabulary_size(), the IDF weights (tf_idf), get_config() and the
output (shape and flat row-major values). Texts that are not valid UTF-8 are stored as lists of
bytes (`inputs_bytes`). Each error case holds the call that failed and Keras's exception type
and message (a RuntimeError raised inside call() is unwrapped from Keras's "Exception
encountered when calling" frame), and `expected`, the message Strata must give word for word:
Keras's, with numpy's string reprs as plain Python ones and the name of Keras's inner
StringLookup replaced by the TextVectorization's.
"""

import json
import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

TV = keras.layers.TextVectorization
GPL = "/usr/share/common-licenses/GPL-3"
DIGRAPH = "/usr/share/vim/vim90/doc/digraph.txt"


def gpl_paragraphs():
    """The GPL's paragraphs, exactly as in the file (inner newlines and runs of spaces kept)."""
    with open(GPL, encoding="utf-8") as f:
        text = f.read()
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def gpl_lines():
    with open(GPL, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def digraph_lines():
    """Lines of the digraph table holding non-ASCII characters (every 23rd, for variety)."""
    with open(DIGRAPH, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if any(ord(c) > 127 for c in line)]
    return lines[::23]


def flat(a):
    # Whole numbers (indices, counts) as JSON integers: the file is a third of the size.
    return [int(v) if float(v).is_integer() else float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


CORPORA = {}


class Texts:
    """Texts `start:stop` of a corpus: stored once under "corpora", referred to by the cases."""

    def __init__(self, corpus, start=None, stop=None):
        self.corpus, self.start, self.stop = corpus, start, stop

    def strings(self):
        return CORPORA[self.corpus][self.start:self.stop]

    def json(self):
        texts = CORPORA[self.corpus]
        start = 0 if self.start is None else self.start
        stop = len(texts) if self.stop is None else min(self.stop, len(texts))
        return {"corpus": self.corpus, "start": start, "stop": stop}


class Slicer:
    """`Slicer("gpl_lines")[:20]`: the Texts of that slice."""

    def __init__(self, corpus):
        self.corpus = corpus

    def __getitem__(self, s):
        return Texts(self.corpus, s.start, s.stop)


def texts_of(texts):
    return texts.strings() if isinstance(texts, Texts) else texts


def texts_json(texts):
    return texts.json() if isinstance(texts, Texts) else texts


def py(value):
    """A config or vocabulary made JSON-ready (numpy strings and numbers to Python's)."""
    if isinstance(value, dict):
        return {k: py(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [py(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def call_layer(layer, texts, split):
    # Without a split each text is one token; Keras wants one text per row then ((n, 1)),
    # which is what Strata's per-text call means (a rank-1 batch would be one sample).
    data = [[t] for t in texts] if split is None else texts
    return keras.ops.convert_to_numpy(layer(data))


def case(name, options, inputs, adapt=None, adapt_again=None, vocabulary=None, idf_weights=None, inputs_bytes=False):
    layer = TV(name=name, **options)
    entry = {"name": name, "options": options}
    if adapt is not None:
        layer.adapt(texts_of(adapt))
        entry["adapt"] = texts_json(adapt)
    if adapt_again is not None:
        layer.adapt(texts_of(adapt_again))
        entry["adapt_again"] = texts_json(adapt_again)
    if vocabulary is not None:
        layer.set_vocabulary(vocabulary, idf_weights=idf_weights)
        entry["set_vocabulary"] = vocabulary
        if idf_weights is not None:
            entry["set_idf_weights"] = idf_weights
    y = call_layer(layer, texts_of(inputs), options.get("split", "whitespace"))
    if inputs_bytes:
        entry["inputs_bytes"] = [list(t) for t in inputs]
    else:
        entry["inputs"] = texts_json(inputs)
    entry["vocabulary"] = py(layer.get_vocabulary())
    entry["vocabulary_size"] = int(layer.vocabulary_size())
    if layer._output_mode == "tf_idf":
        entry["idf_weights"] = flat(layer._lookup_layer.idf_weights_const.numpy())
    entry["config"] = py(layer.get_config())
    entry["output_shape"] = list(y.shape)
    entry["output"] = flat(y)
    return entry


def cases():
    CORPORA.clear()
    CORPORA["gpl_paragraphs"] = gpl_paragraphs()
    # The GPL's non-blank lines, then two empty texts (the whole list adapts one case).
    CORPORA["gpl_lines"] = gpl_lines() + ["", ""]
    CORPORA["digraph_lines"] = digraph_lines()
    # The preamble's and some of the terms' paragraphs.
    CORPORA["gpl_some"] = CORPORA["gpl_paragraphs"][:8] + CORPORA["gpl_paragraphs"][60:64]
    paragraphs = Texts("gpl_paragraphs")
    lines = CORPORA["gpl_lines"]
    digraphs = Texts("digraph_lines")

    some = Texts("gpl_some")
    some_ = Slicer("gpl_some")
    paragraphs_ = Slicer("gpl_paragraphs")
    lines_ = Slicer("gpl_lines")
    digraphs_ = Slicer("digraph_lines")
    out = []
    add = out.append
    # int: every paragraph adapts (about 1,100 distinct words, many tied at small counts).
    add(case("gpl_int_default", {}, some, adapt=paragraphs))
    add(case("gpl_int_max_tokens_sequence", {"max_tokens": 60, "output_sequence_length": 40}, some, adapt=paragraphs))
    add(case("gpl_int_sequence_short", {"output_sequence_length": 5}, lines_[:20], adapt=paragraphs))
    add(case("gpl_int_lower", {"standardize": "lower", "max_tokens": 120}, some, adapt=paragraphs))
    add(case("gpl_int_strip_punctuation", {"standardize": "strip_punctuation", "max_tokens": 120}, some,
             adapt=paragraphs))
    add(case("gpl_int_no_standardize", {"standardize": None, "max_tokens": 150}, some, adapt=paragraphs))
    add(case("gpl_int_lines_no_split", {"split": None, "max_tokens": 30, "output_sequence_length": 2},
             lines[:15] + [""], adapt=Texts("gpl_lines")))
    # multi_hot / count / tf_idf: the OOV index is 0, no padding index.
    add(case("gpl_multi_hot", {"output_mode": "multi_hot", "max_tokens": 100}, some, adapt=paragraphs))
    add(case("gpl_binary_alias", {"output_mode": "binary", "max_tokens": 40}, some_[:4], adapt=paragraphs))
    add(case("gpl_count", {"output_mode": "count", "max_tokens": 100}, some, adapt=paragraphs))
    add(case("gpl_count_pad_to_max_tokens", {"output_mode": "count", "max_tokens": 300, "pad_to_max_tokens": True},
             some_[:4], adapt=paragraphs_[:6]))
    add(case("gpl_tf_idf", {"output_mode": "tf_idf", "max_tokens": 120}, some, adapt=paragraphs))
    add(case("gpl_tf_idf_all", {"output_mode": "tf_idf"}, some_[:3], adapt=paragraphs))
    add(case("gpl_tf_idf_alias_pad", {"output_mode": "tf-idf", "max_tokens": 250, "pad_to_max_tokens": True},
             some_[:4], adapt=paragraphs_[:6]))
    add(case("gpl_multi_hot_no_split", {"output_mode": "multi_hot", "split": None}, lines[:10] + ["", "absent"],
             adapt=lines[:40] + [""]))
    add(case("gpl_tf_idf_no_split", {"output_mode": "tf_idf", "split": None, "standardize": "lower"},
             lines[:6] + [""], adapt=lines[:50] + lines[:10]))
    # character split, ASCII and UTF-8.
    add(case("gpl_character", {"split": "character"}, lines_[:10], adapt=paragraphs_[:20]))
    add(case("gpl_character_count", {"split": "character", "output_mode": "count", "standardize": None},
             lines_[:6], adapt=lines_[:30]))
    add(case("digraph_character_lower", {"split": "character", "standardize": "lower", "output_sequence_length": 12},
             digraphs_[:30], adapt=digraphs))
    add(case("digraph_whitespace_strip", {"standardize": "lower_and_strip_punctuation"}, digraphs_[:30],
             adapt=digraphs))
    add(case("digraph_character_multi_hot", {"split": "character", "output_mode": "multi_hot", "max_tokens": 80},
             digraphs_[:10], adapt=digraphs))
    # ngrams: an int (widths 1..n) and a tuple (these widths, in this order).
    add(case("gpl_ngrams_2", {"ngrams": 2, "max_tokens": 200}, some_[:6], adapt=paragraphs))
    add(case("gpl_ngrams_3_1", {"ngrams": (3, 1), "output_mode": "count", "max_tokens": 150}, some_[:4],
             adapt=paragraphs))
    add(case("gpl_ngrams_3_character", {"ngrams": 3, "split": "character", "max_tokens": 90}, lines_[:5],
             adapt=lines_[:40]))
    # Ties among equal counts: the bytes of the tokens, high to low.
    ties = ["b a c", "c b", "a d", "e", "D E", "Ab ab aB"]
    add(case("ties", {}, ties + ["zz b"], adapt=ties))
    add(case("ties_no_standardize", {"standardize": None}, ties, adapt=ties))
    # Whitespace: ASCII's six (space, \t, \n, \v, \f, \r) split, others (NBSP, U+3000, NEL,
    # the file separator \x1c) do not.
    spaces = ["one\ttwo\nthree\x0bfour\x0cfive\rsix", "seven\u00a0eight", "nine\u3000ten", "x\x85y\x1cz",
              "   lead  and trail   ", ""]
    add(case("whitespace", {"standardize": None}, spaces, adapt=spaces))
    # The OOV token in the data: never learned, maps to OOV.
    unk = ["[UNK] a [UNK] b b", "a", "[UNK]"]
    add(case("unk_in_data", {"standardize": None, "output_mode": "count"}, unk + ["[UNK] a b c"], adapt=unk))
    # A second adapt replaces the vocabulary; one whose texts hold no token keeps it (Keras).
    add(case("adapt_twice", {}, ["x y z", "y"], adapt=["x y y"], adapt_again=["z z y", "q"]))
    add(case("adapt_again_without_tokens", {}, ["x y z"], adapt=["x y y"], adapt_again=["", "  ", "?!"]))
    # max_tokens cutting through a run of tied counts.
    add(case("max_tokens_inside_ties", {"max_tokens": 5}, ["a b c d e f"], adapt=["f e d c b a", "a", "b"]))
    # Vocabularies given up front or through set_vocabulary (with or without the special tokens).
    words = ["software", "free", "license", "the", "copies", "[UNK]"]
    add(case("vocabulary_int", {"vocabulary": words, "output_sequence_length": 30}, some_[:4]))
    add(case("vocabulary_int_with_specials", {"vocabulary": ["", "[UNK]"] + words[:5]}, some_[:4]))
    add(case("vocabulary_multi_hot_with_oov", {"vocabulary": ["[UNK]"] + words[:5], "output_mode": "multi_hot"},
             some_[:4]))
    add(case("vocabulary_tf_idf", {"vocabulary": words[:5], "idf_weights": [0.5, 1.25, 0.1, 2.0, 0.75],
                                   "output_mode": "tf_idf"}, some_[:4]))
    add(case("vocabulary_tf_idf_specials_pad", {"vocabulary": ["[UNK]"] + words[:5],
                                                "idf_weights": [0.3, 0.5, 1.25, 0.1, 2.0, 0.75],
                                                "output_mode": "tf_idf", "max_tokens": 9, "pad_to_max_tokens": True},
             some_[:4]))
    add(case("set_vocabulary_count", {"output_mode": "count", "max_tokens": 10, "pad_to_max_tokens": True},
             some_[:4], vocabulary=words[:5]))
    add(case("set_vocabulary_tf_idf", {"output_mode": "tf_idf"}, some_[:4], vocabulary=words[:5],
             idf_weights=[1.0, 0.25, 0.5, 0.125, 3.0]))
    add(case("set_vocabulary_after_adapt", {"max_tokens": 20}, some_[:4], adapt=paragraphs,
             vocabulary=["", "[UNK]"] + words[:5]))
    # Not UTF-8: each maximal ill-formed subsequence is one U+FFFD character.
    bad = [b"a\xffb.", b"\xe2\x82x", b"\xc0\xaf!", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98", b"\x80\x80"]
    layer_options = {"split": "character", "vocabulary": ["\ufffd", "a", "b", "x"]}
    entry = case("invalid_utf8_character", layer_options, bad, inputs_bytes=True)
    out.append(entry)
    return out


def keras_error(make):
    try:
        make()
    except Exception as e:  # noqa: BLE001 - recording whatever Keras raised is the point
        message = str(e)
        inner = re.search(r"\x1b\[1m(.*?)\x1b\[0m", message, re.S)
        if inner:  # Keras's call() frame around the layer's own error
            message = inner.group(1)
        return type(e).__name__, message
    raise AssertionError("Keras raised nothing")


def error(name, make, steps):
    kind, message = keras_error(make)
    # What Strata says: Keras's message with numpy's reprs as plain Python ones (np.str_('a') ->
    # 'a') and the name of Keras's inner StringLookup as the TextVectorization's own (Strata has
    # no inner layer; its default name is "text_vectorization").
    expected = re.sub(r"np\.str_\(('[^']*')\)", r"\1", message)
    expected = re.sub(r"'string_lookup(_\d+)?'", "'text_vectorization'", expected)
    return {"name": name, "steps": steps, "type": kind, "message": message, "expected": expected}


def errors():
    out = []
    add = out.append

    def build(options):
        return lambda: TV(**options)

    def then(options, action):
        def run():
            layer = TV(**options)
            action(layer)
        return run

    add(error("max_tokens_one", build({"max_tokens": 1}), {"options": {"max_tokens": 1}}))
    add(error("pad_without_max_tokens", build({"pad_to_max_tokens": True, "output_mode": "count"}),
              {"options": {"pad_to_max_tokens": True, "output_mode": "count"}}))
    add(error("bad_standardize", build({"standardize": "upper"}), {"options": {"standardize": "upper"}}))
    add(error("bad_split", build({"split": "comma"}), {"options": {"split": "comma"}}))
    add(error("bad_output_mode", build({"output_mode": "tfidf"}), {"options": {"output_mode": "tfidf"}}))
    add(error("sequence_length_not_int_mode", build({"output_mode": "multi_hot", "output_sequence_length": 4}),
              {"options": {"output_mode": "multi_hot", "output_sequence_length": 4}}))
    add(error("idf_weights_not_tf_idf", build({"vocabulary": ["a"], "idf_weights": [1.0]}),
              {"options": {"vocabulary": ["a"], "idf_weights": [1.0]}}))
    add(error("tf_idf_vocabulary_without_idf", build({"vocabulary": ["a"], "output_mode": "tf_idf"}),
              {"options": {"vocabulary": ["a"], "output_mode": "tf_idf"}}))
    add(error("empty_vocabulary", build({"vocabulary": []}), {"options": {"vocabulary": []}}))
    add(error("repeated_vocabulary", build({"vocabulary": ["a", "b", "a"]}),
              {"options": {"vocabulary": ["a", "b", "a"]}}))
    add(error("mask_in_vocabulary", build({"vocabulary": ["a", "", "b"]}), {"options": {"vocabulary": ["a", "", "b"]}}))
    add(error("mask_in_vocabulary_multi_hot", build({"vocabulary": ["", "[UNK]", "a"], "output_mode": "multi_hot"}),
              {"options": {"vocabulary": ["", "[UNK]", "a"], "output_mode": "multi_hot"}}))
    add(error("vocabulary_over_max_tokens", build({"vocabulary": ["a", "b", "c"], "max_tokens": 4}),
              {"options": {"vocabulary": ["a", "b", "c"], "max_tokens": 4}}))
    add(error("idf_length_mismatch",
              build({"vocabulary": ["a", "b"], "idf_weights": [1.0, 2.0, 3.0], "output_mode": "tf_idf"}),
              {"options": {"vocabulary": ["a", "b"], "idf_weights": [1.0, 2.0, 3.0], "output_mode": "tf_idf"}}))
    add(error("set_vocabulary_tf_idf_without_idf", then({"output_mode": "tf_idf"}, lambda t: t.set_vocabulary(["a"])),
              {"options": {"output_mode": "tf_idf"}, "set_vocabulary": ["a"]}))
    add(error("set_vocabulary_idf_not_tf_idf",
              then({"output_mode": "count"}, lambda t: t.set_vocabulary(["a"], idf_weights=[1.0])),
              {"options": {"output_mode": "count"}, "set_vocabulary": ["a"], "set_idf_weights": [1.0]}))
    add(error("adapt_after_vocabulary", then({"vocabulary": ["a"]}, lambda t: t.adapt(["a b"])),
              {"options": {"vocabulary": ["a"]}, "adapt": ["a b"]}))
    add(error("call_before_vocabulary_multi_hot", then({"output_mode": "multi_hot"}, lambda t: t(["a"])),
              {"options": {"output_mode": "multi_hot"}, "call": ["a"]}))
    add(error("vocabulary_size_change_multi_hot",
              then({"output_mode": "multi_hot"}, lambda t: (t.adapt(["a b"]), t.adapt(["a b c"]))),
              {"options": {"output_mode": "multi_hot"}, "adapt": ["a b"], "adapt_again": ["a b c"]}))
    add(error("vocabulary_size_change_set_vocabulary",
              then({"output_mode": "count"}, lambda t: (t.adapt(["a b"]), t.set_vocabulary(["x", "y", "z"]))),
              {"options": {"output_mode": "count"}, "adapt": ["a b"], "set_vocabulary": ["x", "y", "z"]}))
    return out


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "text_vectorization.json")
    data = {
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "backend": keras.backend.backend(),
        "sources": [GPL, DIGRAPH],
        "cases": cases(),
        "corpora": CORPORA,
        "errors": errors(),
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(data['cases'])} cases, {len(data['errors'])} errors", file=sys.stderr)


if __name__ == "__main__":
    main()
