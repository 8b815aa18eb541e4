#!/usr/bin/env python3
"""Writes tests/golden/recurrent.json: SimpleRNN, LSTM and GRU in whole Functional models, from
real Keras 3, in the form of masking.json (see make_masking_goldens.py, whose `case` writes
each model's JSON, weights, inputs, output and weight gradients). Read by
tests/layers/sequence_golden_test.cpp. To regenerate:

    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_recurrent_goldens.py
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

from make_masking_goldens import HERE, indices, padded_sequences, saved_case, series  # noqa: E402
from make_masking_goldens import case as model_case  # noqa: E402

L = keras.layers
FILES = os.path.join(HERE, "recurrent")
# Cases also saved as Keras files (.keras, .weights.h5 and legacy .h5), which Strata must load
# to the same predictions.
SAVED = {"lstm_masked_sequences", "gru_initial_state", "simple_rnn_masking_backwards"}


def case(name, model, inputs):
    if name in SAVED:
        return saved_case(name, model, inputs, FILES, (".keras", ".weights.h5", ".h5"))
    return model_case(name, model, inputs)


def single(name, layer, steps=5, features=3, batch=3):
    x = keras.Input((steps, features), name="x")
    y = layer(x)
    if len(y.shape) == 3:
        y = L.Dense(2, name="head")(y)  # a per-step head: the gradient reaches every step
    return case(name, keras.Model(x, y), [series((batch, steps, features))])


def masked(name, layer):
    x = keras.Input((6,), dtype="int32", name="tokens")
    h = L.Embedding(9, 3, mask_zero=True, name="emb")(x)
    y = layer(h)
    if len(y.shape) == 3:
        y = L.GlobalAveragePooling1D(name="gap")(y)  # reads the mask the layer passes on
    return case(name, keras.Model(x, y), [indices((4, 6), 9)])


def initial_states(name, make, states):
    x = keras.Input((4, 3), name="x")
    given = [keras.Input((5,), name=f"state_{i}") for i in range(states)]
    y = make()(x, initial_state=given)
    return case(name, keras.Model([x] + given, y), [series((3, 4, 3))] + [series((3, 5)) for _ in given])


def main():
    cases = [
        single("simple_rnn", L.SimpleRNN(4, name="rnn")),
        single("simple_rnn_relu_sequences", L.SimpleRNN(4, activation="relu", return_sequences=True, name="rnn")),
        single("simple_rnn_backwards_no_bias", L.SimpleRNN(3, go_backwards=True, use_bias=False, name="rnn")),
        single("lstm", L.LSTM(4, name="rnn")),
        single("lstm_sequences", L.LSTM(4, return_sequences=True, name="rnn")),
        single("lstm_backwards_sequences", L.LSTM(3, go_backwards=True, return_sequences=True, name="rnn")),
        single("lstm_linear_relu", L.LSTM(3, activation="linear", recurrent_activation="relu", name="rnn")),
        single("gru", L.GRU(4, name="rnn")),
        single("gru_sequences", L.GRU(4, return_sequences=True, name="rnn")),
        single("gru_reset_before", L.GRU(4, reset_after=False, name="rnn")),
        single("gru_reset_before_backwards_sequences",
               L.GRU(3, reset_after=False, go_backwards=True, return_sequences=True, name="rnn")),
        single("gru_no_bias", L.GRU(3, use_bias=False, name="rnn")),
        masked("simple_rnn_masked", L.SimpleRNN(4, name="rnn")),
        masked("lstm_masked", L.LSTM(4, name="rnn")),
        masked("lstm_masked_sequences", L.LSTM(4, return_sequences=True, name="rnn")),
        masked("lstm_masked_backwards", L.LSTM(4, go_backwards=True, name="rnn")),
        masked("gru_masked_sequences", L.GRU(4, return_sequences=True, name="rnn")),
        masked("gru_reset_before_masked", L.GRU(4, reset_after=False, name="rnn")),
        initial_states("lstm_initial_states", lambda: L.LSTM(5, name="rnn"), 2),
        initial_states("gru_initial_state", lambda: L.GRU(5, return_sequences=True, name="rnn"), 1),
        initial_states("simple_rnn_initial_state", lambda: L.SimpleRNN(5, name="rnn"), 1),
    ]
    # Masked steps before the first kept one (go_backwards over trailing padding) output the
    # initial state.
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    h0 = keras.Input((4,), name="h0")
    e = L.Embedding(9, 3, mask_zero=True, name="emb")(tokens)
    y = L.GRU(4, go_backwards=True, return_sequences=True, name="rnn")(e, initial_state=[h0])
    y = L.Dense(2, name="head")(y)
    cases.append(case("gru_masked_initial_state", keras.Model([tokens, h0], y), [indices((4, 6), 9), series((4, 4))]))
    # A mask whose first steps are masked with go_backwards: outputs start at the zero state.
    x = keras.Input((5, 2), name="x")
    h = L.Masking(0.0, name="mask")(x)
    y = L.SimpleRNN(3, go_backwards=True, return_sequences=True, name="rnn")(h)
    cases.append(case("simple_rnn_masking_backwards", keras.Model(x, y), [padded_sequences((3, 5, 2))]))
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases}
    with open(os.path.join(HERE, "recurrent.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
