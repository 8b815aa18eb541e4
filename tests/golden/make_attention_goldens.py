#!/usr/bin/env python3
"""Writes tests/golden/attention.json: MultiHeadAttention, Attention and AdditiveAttention in
whole Functional models, from real Keras 3, in the form of masking.json (see make_masking_goldens.py, whose `case` writes each
model's JSON, weights, inputs, output and weight gradients): self- and cross-attention, a
separate key, value_dim and output_shape, no bias, the causal mask, an attention_mask input,
masks from Embedding(mask_zero), and a Transformer encoder block. Some cases are also saved as
Keras files under tests/golden/attention/, which Strata must load to the same predictions.
Read by tests/layers/sequence_golden_test.cpp. To regenerate:

    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_attention_goldens.py
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from make_masking_goldens import HERE, RNG, indices, saved_case, series  # noqa: E402
from make_masking_goldens import case as model_case  # noqa: E402

L = keras.layers
FILES = os.path.join(HERE, "attention")
SAVED = {"mha_cross_key", "mha_masked_tokens", "transformer_block", "attention_masked_causal"}


def case(name, model, inputs):
    if name in SAVED:
        return saved_case(name, model, inputs, FILES, (".keras", ".weights.h5"))
    return model_case(name, model, inputs)


def self_attention(name, layer, steps=5, features=6, batch=3, **call):
    x = keras.Input((steps, features), name="x")
    y = layer(x, x, **call)
    return case(name, keras.Model(x, y), [series((batch, steps, features))])


def cross_key():
    q = keras.Input((4, 6), name="q")
    v = keras.Input((5, 7), name="v")
    k = keras.Input((5, 3), name="k")
    y = L.MultiHeadAttention(3, 4, output_shape=5, name="mha")(q, v, key=k)
    return case("mha_cross_key", keras.Model([q, v, k], y), [series((2, 4, 6)), series((2, 5, 7)), series((2, 5, 3))])


def value_dim():
    # Keras 3.15's fused dot_product_attention (taken when dropout is 0 and no scores are
    # returned) refuses value_dim != key_dim; asking for the scores takes its einsum path. The
    # case records the same model without the scores, which Strata builds.
    def model(scores):
        x = keras.Input((4, 6), name="x")
        layer = L.MultiHeadAttention(4, 2, value_dim=3, output_shape=7, name="mha")
        y = layer(x, x, return_attention_scores=True)[0] if scores else layer(x, x)
        return keras.Model(x, y)

    computed = model(True)
    c = case("mha_value_dim_output_shape", computed, [series((3, 4, 6))])
    c["model"] = json.loads(model(False).to_json())
    return c


def cross_no_key():
    q = keras.Input((3, 4), name="q")
    v = keras.Input((6, 5), name="v")
    y = L.MultiHeadAttention(2, 3, name="mha")(q, v)
    return case("mha_cross", keras.Model([q, v], y), [series((4, 3, 4)), series((4, 6, 5))])


def attention_mask():
    q = keras.Input((4, 6), name="q")
    m = keras.Input((4, 5), name="m")
    v = keras.Input((5, 6), name="v")
    y = L.MultiHeadAttention(2, 3, name="mha")(q, v, attention_mask=m)
    mask = (RNG.uniform(0, 1, (3, 4, 5)) > 0.4).astype(np.float32)
    mask[0, 2, :] = 0.0  # a query that may attend to nothing: equal weights, as Keras
    return case("mha_attention_mask", keras.Model([q, m, v], y), [series((3, 4, 6)), mask, series((3, 5, 6))])


def masked_tokens():
    # Embedding's mask reaches the attention as query and value masks; the output carries the
    # query's, which GlobalAveragePooling1D reads.
    x = keras.Input((7,), dtype="int32", name="tokens")
    h = L.Embedding(11, 8, mask_zero=True, name="emb")(x)
    h = L.MultiHeadAttention(2, 4, name="mha")(h, h)
    h = L.GlobalAveragePooling1D(name="gap")(h)
    y = L.Dense(3, name="out")(h)
    return case("mha_masked_tokens", keras.Model(x, y), [indices((4, 7), 11)])


def masked_causal():
    x = keras.Input((6,), dtype="int32", name="tokens")
    h = L.Embedding(9, 6, mask_zero=True, name="emb")(x)
    h = L.MultiHeadAttention(3, 2, name="mha")(h, h, use_causal_mask=True)
    y = L.Dense(2, name="head")(h)
    return case("mha_masked_causal", keras.Model(x, y), [indices((3, 6), 9)])


def transformer_block():
    # The encoder block of the ViT example: pre-norm attention and MLP, each with a residual.
    x = keras.Input((5, 8), name="x")
    h = L.LayerNormalization(epsilon=1e-6, name="ln1")(x)
    h = L.MultiHeadAttention(2, 4, name="mha")(h, h)
    x1 = L.Add(name="res1")([x, h])
    h = L.LayerNormalization(epsilon=1e-6, name="ln2")(x1)
    h = L.Dense(16, activation="gelu", name="mlp1")(h)
    h = L.Dense(8, name="mlp2")(h)
    y = L.Add(name="res2")([x1, h])
    return case("transformer_block", keras.Model(x, y), [series((2, 5, 8))])


def listed(name, layer, key=False, **call):
    # Attention and AdditiveAttention take their inputs as a list: [query, value] or [query, value, key].
    q = keras.Input((4, 5), name="q")
    v = keras.Input((6, 3), name="v")
    inputs = [q, v]
    arrays = [series((3, 4, 5)), series((3, 6, 3))]
    if key:
        inputs.append(keras.Input((6, 5), name="k"))
        arrays.append(series((3, 6, 5)))
    else:
        inputs[1] = v = keras.Input((6, 5), name="v")
        arrays[1] = series((3, 6, 5))
    y = layer(inputs, **call)
    return case(name, keras.Model(inputs, y), arrays)


def attention_masked(name, layer, **call):
    # The value's mask hides keys; the output is zero at the query's masked steps and carries
    # its mask to GlobalAveragePooling1D.
    x = keras.Input((7,), dtype="int32", name="tokens")
    h = L.Embedding(11, 4, mask_zero=True, name="emb")(x)
    h = layer([h, h], **call)
    h = L.GlobalAveragePooling1D(name="gap")(h)
    y = L.Dense(3, name="out")(h)
    return case(name, keras.Model(x, y), [indices((4, 7), 11)])


def main():
    cases = [
        self_attention("mha_self", L.MultiHeadAttention(2, 3, name="mha")),
        self_attention("mha_one_head_no_bias", L.MultiHeadAttention(1, 4, use_bias=False, name="mha")),
        self_attention("mha_causal", L.MultiHeadAttention(2, 4, name="mha"), use_causal_mask=True),
        value_dim(),
        cross_key(),
        cross_no_key(),
        attention_mask(),
        masked_tokens(),
        masked_causal(),
        transformer_block(),
        listed("attention_dot", L.Attention(name="att")),
        listed("attention_scale_key_causal", L.Attention(use_scale=True, name="att"), key=True, use_causal_mask=True),
        attention_masked("attention_masked_causal", L.Attention(use_scale=True, name="att"), use_causal_mask=True),
        listed("additive_attention", L.AdditiveAttention(name="att")),
        listed("additive_attention_no_scale_key", L.AdditiveAttention(use_scale=False, name="att"), key=True),
        attention_masked("additive_attention_masked", L.AdditiveAttention(name="att")),
    ]
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases}
    with open(os.path.join(HERE, "attention.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
