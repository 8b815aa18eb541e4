#!/usr/bin/env python3
"""Writes tests/golden/data/: NumPy files and Keras 3 results for the data loaders and the
Normalization layer.

The C++ tests (tests/data/, tests/layers/normalization_test.cpp) read these files and never
run Python. To regenerate (scripts/keras-venv makes the environment):

    KERAS_BACKEND=jax /work/main/.venv-keras/bin/python tests/golden/make_data_goldens.py

- npy/*.npy, npz/*.npz: arrays written by np.save / np.savez / np.savez_compressed in every
  dtype, byte order and memory order the loader reads, with their values as float64 lists in
  data.json ("npy"), plus the ones it must refuse ("npy_refused").
- data.json "normalization": Keras's Normalization adapted on fixed data (several axis
  settings, invert), or given constants: the adapted mean and variance, the outputs for a
  fixed input, and get_config().
- normalization.weights.h5: a Sequential(Input((3,)), Normalization) adapted and saved with
  save_weights, and data.json "normalization_file": its input and Keras's output.
- data.json "resize": keras.ops.image.resize(..., interpolation="bilinear") (antialias off,
  Keras's default, as the image loader uses) of a fixed 5 x 7 x 3 image to several sizes.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def npy_cases(out):
    os.makedirs(os.path.join(HERE, "npy"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "npz"), exist_ok=True)
    rng = np.random.default_rng(12)
    base = rng.normal(0, 10, (2, 3, 4))
    cases = {
        "f4_c": base.astype("<f4"),
        "f8_c": base.astype("<f8"),
        "f4_big": base.astype(">f4"),
        "f8_big": base.astype(">f8"),
        "f4_fortran": np.asfortranarray(base.astype("<f4")),
        "f8_fortran_big": np.asfortranarray(base.astype(">f8")),
        "i1": np.array([-128, -1, 0, 1, 127], dtype="i1"),
        "i2_big": np.array([[-32768, 5], [7, 32767]], dtype=">i2"),
        "i4": np.arange(-6, 6, dtype="<i4").reshape(3, 4),
        "i8": np.array([-(2**24), -3, 0, 2**24, 2**40], dtype="<i8"),
        "u1": np.arange(0, 256, 51, dtype="u1"),
        "u2": np.array([0, 65535], dtype="<u2"),
        "u4_big": np.array([0, 1, 4294967295 - 255], dtype=">u4"),
        "u8": np.array([[0, 2**63], [7, 9]], dtype="<u8"),
        "bool": np.array([[True, False, True], [False, False, True]]),
        "scalar": np.array(3.5, dtype="<f4"),
        "empty": np.zeros((0, 3), dtype="<f4"),
        "one_dim": np.array([1.5, -2.25], dtype="<f4"),
    }
    out["npy"] = {}
    for name, array in cases.items():
        np.save(os.path.join(HERE, "npy", name + ".npy"), array)
        out["npy"][name] = {"shape": list(array.shape), "values": array.astype("f8").ravel(order="C").tolist()}
    refused = {
        "i4_inexact": np.array([1, 2**24 + 1], dtype="<i4"),
        "u8_inexact": np.array([2**64 - 1], dtype="<u8"),
        "f8_too_large": np.array([1.0, 1e300], dtype="<f8"),
        "f2": np.array([1.0], dtype="<f2"),
        "c8": np.array([1 + 2j], dtype="<c8"),
        "structured": np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]),
    }
    for name, array in refused.items():
        np.save(os.path.join(HERE, "npy", name + ".npy"), array)
    out["npy_refused"] = sorted(refused)
    # A format 2.0 file (NumPy writes 2.0 on request, 3.0 for non-latin-1 field names).
    with open(os.path.join(HERE, "npy", "v2.npy"), "wb") as f:
        np.lib.format.write_array(f, cases["f4_c"], version=(2, 0))
    np.savez(os.path.join(HERE, "npz", "stored.npz"), x=cases["f4_c"], labels=cases["i4"], flags=cases["bool"])
    np.savez_compressed(os.path.join(HERE, "npz", "compressed.npz"), x=cases["f8_c"], y=cases["u1"])


def normalization_cases(out):
    rng = np.random.default_rng(5)
    data2 = rng.normal(3.0, 2.0, (16, 3)).astype("float32")
    data3 = rng.normal(-1.0, 0.5, (6, 4, 2)).astype("float32")
    data3[:, :, 1] *= 0.0  # a constant feature: variance 0, the epsilon floor
    data3[:, :, 1] += 2.0
    cases = []

    def add(name, kwargs, adapt, x):
        layer = keras.layers.Normalization(**kwargs)
        if adapt is not None:
            layer.adapt(adapt)
        y = np.asarray(layer(x))
        case = {
            "name": name,
            "axis": list(layer.axis),
            "invert": bool(layer.invert),
            "config": layer.get_config(),
            "x_shape": list(x.shape),
            "x": x.ravel().tolist(),
            "y": y.astype("f8").ravel().tolist(),
        }
        if adapt is not None:
            case["adapt_shape"] = list(adapt.shape)
            case["adapt"] = adapt.ravel().tolist()
            case["mean"] = np.asarray(layer.adapt_mean).astype("f8").ravel().tolist()
            case["variance"] = np.asarray(layer.adapt_variance).astype("f8").ravel().tolist()
        cases.append(case)

    add("last_axis", {}, data2, rng.normal(3.0, 2.0, (5, 3)).astype("float32"))
    add("none", {"axis": None}, data2, rng.normal(3.0, 2.0, (5, 3)).astype("float32"))
    add("rank3_last", {"axis": -1}, data3, rng.normal(-1.0, 0.5, (3, 4, 2)).astype("float32"))
    add("rank3_two_axes", {"axis": (1, 2)}, data3, rng.normal(-1.0, 0.5, (3, 4, 2)).astype("float32"))
    add("rank3_middle", {"axis": 1}, data3, rng.normal(-1.0, 0.5, (3, 4, 2)).astype("float32"))
    add("invert", {"invert": True}, data2, rng.normal(0.0, 1.0, (5, 3)).astype("float32"))
    add("constant_scalar", {"mean": 3.0, "variance": 2.0}, None, np.array([[1.0], [2.0], [3.0]], dtype="float32"))
    add("constant_vector", {"mean": [1.0, -2.0, 0.5], "variance": [4.0, 0.25, 0.0]}, None,
        rng.normal(0.0, 1.0, (4, 3)).astype("float32"))
    add("constant_rank3", {"axis": (1, 2), "mean": [0.5, -0.5], "variance": [2.0, 8.0], "invert": True}, None,
        rng.normal(0.0, 1.0, (2, 3, 2)).astype("float32"))
    out["normalization"] = cases

    model = keras.Sequential([keras.Input((3,)), keras.layers.Normalization()])
    model.layers[0].adapt(data2)
    path = os.path.join(HERE, "normalization.weights.h5")
    model.save_weights(path)
    x = rng.normal(3.0, 2.0, (4, 3)).astype("float32")
    out["normalization_file"] = {
        "x_shape": list(x.shape),
        "x": x.ravel().tolist(),
        "y": np.asarray(model(x)).astype("f8").ravel().tolist(),
        "mean": np.asarray(model.layers[0].adapt_mean).astype("f8").ravel().tolist(),
    }


def resize_cases(out):
    rng = np.random.default_rng(9)
    image = rng.integers(0, 256, (5, 7, 3)).astype("float32")
    cases = []
    for size in [(5, 7), (10, 14), (3, 4), (8, 3), (1, 1), (12, 5)]:
        y = np.asarray(keras.ops.image.resize(image, size, interpolation="bilinear"))
        cases.append({"size": list(size), "y": y.astype("f8").ravel().tolist()})
    out["resize"] = {"image_shape": list(image.shape), "image": image.ravel().tolist(), "cases": cases}


def main():
    out = {"keras_version": keras.__version__, "numpy_version": np.__version__}
    npy_cases(out)
    normalization_cases(out)
    resize_cases(out)
    with open(os.path.join(HERE, "data.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
