#!/usr/bin/env python3
"""Writes tests/golden/mixed_precision/: a small convnet built and trained by real Keras 3 (JAX
backend) under the mixed_bfloat16 dtype policy, saved as a .keras archive, with what Keras
predicted and how it went on training after the save. The C++ test loads the archive and checks
that every layer comes back with its policy and that Strata's predictions and training losses
follow Keras's within bfloat16's rounding.

To regenerate (one shared venv):

    scripts/keras-venv
    KERAS_BACKEND=jax nice .venv-keras/bin/python tests/golden/make_mixed_precision_goldens.py

Writes mixed_cnn.keras and mixed_cnn.json:
  {"keras_version", "backend", "generator",
   "policies": {layer name: its dtype policy's name},
   "test_images": 16: the inputs are the first 16 Fashion-MNIST test images, (16, 28, 28, 1)
   scaled to [0, 1],
   "predictions": model.predict(inputs) at save time (the output layer is float32), as
   {"shape": [...], "data": [flat row-major float32 values]},
   "batch_size": 32, "batches_after_save": 3: after the save, train_on_batch ran on training
   images [32, 64), [64, 96) and [96, 128) (scaled the same, labels as floats),
   "losses": what train_on_batch returned for each (metrics reset per batch)}
The images come from Debian's dataset-fashion-mnist files (the C++ test reads the same ones),
read here as the C++ loader reads them; images [0, 32) trained one step before the save, so
that the archive holds the optimizer's variables.
"""

import gzip
import json
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mixed_precision")
DATA = os.environ.get("STRATA_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def array_json(a):
    a = np.asarray(keras.ops.convert_to_numpy(a)).astype(np.float32)
    # str of a float32 is the shortest decimal that reads back as the same float32
    return {"shape": list(a.shape), "data": [float(str(v)) for v in a.reshape(-1)]}


def main():
    os.makedirs(OUT, exist_ok=True)
    images = idx("train-images-idx3-ubyte.gz")[:128].astype(np.float32)[..., None] / 255.0
    labels = idx("train-labels-idx1-ubyte.gz")[:128].astype(np.float32)
    test = idx("t10k-images-idx3-ubyte.gz")[:16].astype(np.float32)[..., None] / 255.0

    keras.utils.set_random_seed(3)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax", dtype="float32"),
    ], name="mixed_cnn")
    keras.mixed_precision.set_global_policy("float32")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.train_on_batch(images[:32], labels[:32])  # the optimizer's variables exist at the save
    predictions = model.predict(test, verbose=0)
    path = os.path.join(OUT, "mixed_cnn.keras")
    model.save(path)

    batches = [(images[32 * i:32 * (i + 1)], labels[32 * i:32 * (i + 1)]) for i in range(1, 4)]
    losses = [float(model.train_on_batch(x, y, return_dict=True)["loss"]) for x, y in batches]

    # Keras itself reads the archive back with the same policies and predictions.
    again = keras.saving.load_model(path)
    for a, b in zip(model.layers, again.layers):
        assert a.dtype_policy.name == b.dtype_policy.name, (a.name, b.dtype_policy.name)
    np.testing.assert_allclose(again.predict(test, verbose=0), predictions, rtol=0, atol=0)

    golden = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "generator": "tests/golden/make_mixed_precision_goldens.py",
        "policies": {layer.name: layer.dtype_policy.name for layer in model.layers},
        "test_images": len(test),
        "predictions": array_json(predictions),
        "batch_size": 32,
        "batches_after_save": len(batches),
        "losses": losses,
    }
    with open(os.path.join(OUT, "mixed_cnn.json"), "w") as f:
        json.dump(golden, f)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
