#!/usr/bin/env python3
"""Writes tests/golden/functional.json: Keras 3's summary of Functional models, and the layer
order and weights count of each, read by tests/models/functional_golden_test.cpp.

The C++ test builds the same models with the same names and compares `model.summary()` byte
for byte. To regenerate (one shared virtual environment for the Python checks):

    python3 -m venv .venv-keras && .venv-keras/bin/pip install keras numpy jax rich
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_functional_goldens.py
"""

import contextlib
import io
import json
import os

import keras
from keras import layers

os.environ["COLUMNS"] = "200"

HERE = os.path.dirname(os.path.abspath(__file__))


def summary_text(model, line_length):
    # What Keras prints to stdout when that is a pipe (no print_fn: with one, rich wraps the
    # table at 80 columns). COLUMNS is set wide so the explicit line_length is what counts.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary(line_length=line_length)
    return out.getvalue()


def two_inputs():
    image = keras.Input((4,), name="image")
    meta = keras.Input((3,), name="meta")
    h = layers.Dense(8, activation="relu", name="dense")(image)
    h = layers.Concatenate(name="concatenate")([h, meta])
    out = layers.Dense(2, name="out")(h)
    return keras.Model([image, meta], out, name="two_inputs")


def residual_shared():
    x = keras.Input((6,), name="x")
    shared = layers.Dense(6, activation="tanh", name="shared")
    h = shared(x)
    h2 = shared(h)
    s = layers.Add(name="add")([h, h2])
    cls = layers.Dense(3, activation="softmax", name="cls")(s)
    aux = layers.Dense(1, name="aux")(s)
    return keras.Model(x, [cls, aux], name="residual_shared")


def nested():
    block = keras.Sequential([layers.Dense(5, activation="relu", name="inner_dense"),
                              layers.Dense(4, name="inner_out")], name="block")
    x = keras.Input((4,), name="features")
    y = layers.Dense(2, name="head")(block(x))
    return keras.Model(x, y, name="nested")


cases = []
for build in (two_inputs, residual_shared, nested):
    model = build()
    cases.append({
        "name": model.name,
        "layers": [layer.name for layer in model.layers],
        "weights": len(model.weights),
        "summary": summary_text(model, 108),
    })

with open(os.path.join(HERE, "functional.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": cases}, f, indent=1)
print(cases[1]["summary"])
print(cases[2]["summary"])
