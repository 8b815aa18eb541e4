#!/usr/bin/env python3
"""Writes tests/golden/history.json: History's CSV and JSON texts as Keras and Python write them.

The C++ test (tests/api/history_test.cpp) rebuilds each History from the recorded values and
compares History::to_csv and History::to_json with these texts byte for byte. To regenerate:

    scripts/keras-venv
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_history_goldens.py

Cases:
- "fit": a real Keras fit (a small classifier, validation_split, accuracy, three epochs) with
  keras.callbacks.CSVLogger; the CSV text is the logger's file, the JSON text is
  json.dumps({"epoch": h.epoch, "history": h.history, "params": h.params}, sort_keys=True).
- "values": hand-picked floats and odd key names fed to CSVLogger.on_epoch_end directly, for
  Python's float repr (1e-05, 1e+16, nan, inf, -0.0) and the csv module's quoting.
Every float is recorded as its repr string (JSON has no NaN), which C++'s strtod reads exactly.
"""

import json
import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def record(history, epoch, params, csv_text):
    return {
        "history": {k: [repr(float(v)) for v in vs] for k, vs in history.items()},
        "epoch": list(epoch),
        "params": params,
        "csv": csv_text,
        "json": json.dumps({"epoch": list(epoch), "history": history, "params": params}, sort_keys=True),
    }


def fit_case(directory):
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(48, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = os.path.join(directory, "fit.csv")
    h = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                  callbacks=[keras.callbacks.CSVLogger(path)])
    with open(path, newline="") as f:
        csv_text = f.read()
    history = {k: [float(v) for v in vs] for k, vs in h.history.items()}
    return record(history, h.epoch, h.params, csv_text)


def values_case(directory):
    path = os.path.join(directory, "values.csv")
    logger = keras.callbacks.CSVLogger(path)
    rows = [
        {"loss": 0.1, "odd,key": 1e-05, 'say "hi"': 1e16, "val_loss": 123456789.0},
        {"loss": float("nan"), "odd,key": float("inf"), 'say "hi"': -0.0, "val_loss": 0.0001},
        {"loss": 2.5e-07, "odd,key": -float("inf"), 'say "hi"': 1.0 / 3.0, "val_loss": 1234567890123456.0},
    ]
    logger.on_train_begin()
    for epoch, logs in enumerate(rows):
        logger.on_epoch_end(epoch, logs)
    logger.on_train_end()
    with open(path, newline="") as f:
        csv_text = f.read()
    history = {k: [row[k] for row in rows] for k in rows[0]}
    params = {"verbose": 0, "epochs": 3, "steps": 1}
    return record(history, range(3), params, csv_text)


def main():
    with tempfile.TemporaryDirectory() as directory:
        cases = {"fit": fit_case(directory), "values": values_case(directory)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "history.json")
    with open(out, "w") as f:
        json.dump({"keras_version": keras.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
