#!/usr/bin/env python3
"""Writes tests/golden/wrappers.json: Bidirectional (every merge mode, masks, a given backward
layer, initial states, stacked) and TimeDistributed (Dense, Conv2D over frames, masks, a
Sequential) in whole Functional models, from real Keras 3, in the form of masking.json (see
make_masking_goldens.py, whose `case` writes each model's JSON, weights, inputs, output and
weight gradients). Two models are also saved as Keras files under tests/golden/wrappers/
(.keras, .weights.h5 and legacy .h5), which Strata must load to the same predictions. Read by
tests/layers/wrappers_test.cpp. To regenerate:

    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_wrapper_goldens.py
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

from make_masking_goldens import HERE, indices, saved_case, series  # noqa: E402
from make_masking_goldens import case as model_case  # noqa: E402

L = keras.layers
FILES = os.path.join(HERE, "wrappers")
# Cases also saved as Keras files, which Strata must load to the same predictions.
SAVED = {"tagger", "td_conv2d_frames"}


def case(name, model, inputs):
    if name in SAVED:
        return saved_case(name, model, inputs, FILES, (".keras", ".weights.h5", ".h5"))
    return model_case(name, model, inputs)


def sequence_model(name, layer, steps=5, features=3, batch=3):
    """x -> Dense per step -> layer (-> a per-step head): the gradient reaches every weight."""
    x = keras.Input((steps, features), name="x")
    h = L.Dense(3, activation="tanh", name="embed")(x)
    y = layer(h)
    if len(y.shape) == 3:
        y = L.Dense(2, name="head")(y)
    return case(name, keras.Model(x, y), [series((batch, steps, features))])


def masked_model(name, layer, reader):
    """Embedding(mask_zero) -> layer -> a layer that reads the mask passed on (or a head)."""
    x = keras.Input((6,), dtype="int32", name="tokens")
    h = L.Embedding(9, 3, mask_zero=True, name="emb")(x)
    return case(name, keras.Model(x, reader(layer(h))), [indices((4, 6), 9)])


def bidirectional_cases():
    B = L.Bidirectional
    cases = [
        sequence_model("bidi_lstm_concat_sequences", B(L.LSTM(4, return_sequences=True), name="bidi")),
        sequence_model("bidi_gru_sum", B(L.GRU(3), merge_mode="sum", name="bidi")),
        sequence_model("bidi_simple_rnn_mul_sequences",
                       B(L.SimpleRNN(3, return_sequences=True), merge_mode="mul", name="bidi")),
        sequence_model("bidi_lstm_ave", B(L.LSTM(3), merge_mode="ave", name="bidi")),
        sequence_model("bidi_gru_reset_before_ave_sequences",
                       B(L.GRU(3, reset_after=False, return_sequences=True), merge_mode="ave", name="bidi")),
        # A backward layer of its own (another activation; Keras's output shape assumes the
        # forward layer's units).
        sequence_model("bidi_given_backward_layer",
                       B(L.LSTM(3, return_sequences=True),
                         backward_layer=L.LSTM(3, activation="relu", go_backwards=True, return_sequences=True,
                                               name="back"),
                         name="bidi")),
        # Masked steps: with return_sequences they output zeros (Keras forces zero_output_for_mask)
        # and the mask passes on to the pooling that reads it; without, the last kept step's state.
        masked_model("bidi_lstm_masked_sequences", B(L.LSTM(4, return_sequences=True), name="bidi"),
                     lambda h: L.GlobalAveragePooling1D(name="gap")(h)),
        masked_model("bidi_gru_masked_sequences_sum_head",
                     B(L.GRU(3, return_sequences=True), merge_mode="sum", name="bidi"),
                     lambda h: L.Dense(2, name="head")(h)),
        masked_model("bidi_gru_masked_last", B(L.GRU(4), name="bidi"), lambda h: h),
    ]
    # Stacked: the first layer's sequences (and mask) feed the second.
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    h = L.Embedding(9, 3, mask_zero=True, name="emb")(tokens)
    h = B(L.LSTM(3, return_sequences=True), name="bidi_1")(h)
    y = B(L.SimpleRNN(2), merge_mode="sum", name="bidi_2")(h)
    cases.append(case("bidi_stacked_masked", keras.Model(tokens, y), [indices((4, 6), 9)]))
    # Initial states: the list split in halves, forward then backward.
    x = keras.Input((4, 3), name="x")
    states = [keras.Input((5,), name=f"state_{i}") for i in range(4)]
    y = B(L.LSTM(5), name="bidi")(x, initial_state=states)
    cases.append(case("bidi_lstm_initial_states", keras.Model([x] + states, y),
                      [series((3, 4, 3))] + [series((3, 5)) for _ in states]))
    # Initial states with a mask: Keras runs both directions unmasked (the call has more than one
    # tensor argument) but the output still carries the mask, which the pooling reads.
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    states = [keras.Input((3,), name=f"state_{i}") for i in range(2)]
    h = L.Embedding(9, 3, mask_zero=True, name="emb")(tokens)
    h = B(L.GRU(3, return_sequences=True), name="bidi")(h, initial_state=states)
    y = L.GlobalAveragePooling1D(name="gap")(h)
    cases.append(case("bidi_gru_initial_states_masked", keras.Model([tokens] + states, y),
                      [indices((4, 6), 9)] + [series((4, 3)) for _ in states]))
    # A tagger: Bidirectional(LSTM) then TimeDistributed(Dense), saved as Keras files too.
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    h = L.Embedding(9, 4, mask_zero=True, name="emb")(tokens)
    h = B(L.LSTM(4, return_sequences=True), name="bidi")(h)
    y = L.TimeDistributed(L.Dense(3, activation="softmax"), name="tags")(h)
    cases.append(case("tagger", keras.Model(tokens, y), [indices((4, 6), 9)]))
    return cases


def time_distributed_cases():
    T = L.TimeDistributed
    cases = [
        sequence_model("td_dense", T(L.Dense(4, activation="tanh"), name="td")),
        masked_model("td_dense_masked_lstm", T(L.Dense(4, activation="relu"), name="td"),
                     lambda h: L.LSTM(3, name="rnn")(h)),
        masked_model("td_dense_masked_gap", T(L.Dense(2), name="td"),
                     lambda h: L.GlobalAveragePooling1D(name="gap")(h)),
        sequence_model("td_sequential",
                       T(keras.Sequential([L.Dense(4, activation="relu"), L.Dense(2)], name="per_step"), name="td")),
    ]
    # Frames: a Conv2D and a pooling on every frame, then an LSTM over the frames.
    frames = keras.Input((3, 6, 6, 2), name="frames")
    h = T(L.Conv2D(4, 3, activation="relu"), name="td_conv")(frames)
    h = T(L.MaxPooling2D(2), name="td_pool")(h)
    h = T(L.Flatten(), name="td_flat")(h)
    y = L.LSTM(3, name="rnn")(h)
    cases.append(case("td_conv2d_frames", keras.Model(frames, y), [series((2, 3, 6, 6, 2))]))
    return cases


def main():
    cases = bidirectional_cases() + time_distributed_cases()
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases}
    with open(os.path.join(HERE, "wrappers.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
