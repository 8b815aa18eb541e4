#!/usr/bin/env python3
"""Writes tests/golden/merge.json: outputs and configs of the merge layers (Add, Subtract,
Multiply, Average, Maximum, Minimum, Concatenate, Dot) from real Keras 3.

The C++ test (tests/layers/merge_golden_test.cpp) reads the JSON and never runs Python. To
regenerate:

    python3 -m venv /work/main/.venv-keras               # once; reuse it if it exists
    .venv-keras/bin/pip install keras numpy jax
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_merge_goldens.py

Every case holds the layer's class name and `get_config()` (the layer is named after the case,
so the config is reproducible), its inputs and its output. Arrays are flat, row-major float32
values with their shapes beside them.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers
RNG = np.random.default_rng(20250612)


def uniform(shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def flat(a):
    return [float(v) for v in np.asarray(keras.ops.convert_to_numpy(a), dtype=np.float32).reshape(-1)]


def case(name, make, shapes):
    """`make(name)` builds the layer; it is called once on inputs of `shapes`."""
    layer = make(name)
    xs = [uniform(s) for s in shapes]
    y = layer(xs)
    return {
        "name": name,
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "inputs": [{"shape": list(x.shape), "values": flat(x)} for x in xs],
        "output_shape": list(y.shape),
        "output": flat(y),
    }


def cases():
    out = []
    add = out.append
    add(case("add", lambda n: L.Add(name=n), [(2, 3), (2, 3)]))
    add(case("add_three_broadcast", lambda n: L.Add(name=n), [(2, 4, 3), (2, 1, 3), (2, 4, 1)]))
    add(case("add_lower_rank", lambda n: L.Add(name=n), [(2, 3), (2, 4, 3)]))
    add(case("subtract", lambda n: L.Subtract(name=n), [(2, 5), (2, 5)]))
    add(case("subtract_broadcast", lambda n: L.Subtract(name=n), [(3, 1, 4), (3, 2, 4)]))
    add(case("multiply_three", lambda n: L.Multiply(name=n), [(2, 3), (2, 3), (2, 3)]))
    add(case("multiply_broadcast", lambda n: L.Multiply(name=n), [(2, 3, 1), (2, 1, 4)]))
    add(case("average_three", lambda n: L.Average(name=n), [(2, 3), (2, 3), (2, 3)]))
    add(case("average_broadcast", lambda n: L.Average(name=n), [(2, 1), (2, 5)]))
    add(case("maximum_three", lambda n: L.Maximum(name=n), [(3, 4), (3, 4), (3, 4)]))
    add(case("maximum_broadcast", lambda n: L.Maximum(name=n), [(2, 3, 4), (2, 1, 4)]))
    add(case("minimum", lambda n: L.Minimum(name=n), [(3, 4), (3, 4)]))
    add(case("minimum_lower_rank", lambda n: L.Minimum(name=n), [(2, 4), (2, 3, 4)]))
    add(case("concatenate_default", lambda n: L.Concatenate(name=n), [(2, 3), (2, 1), (2, 4)]))
    add(case("concatenate_axis1", lambda n: L.Concatenate(axis=1, name=n), [(2, 2, 3), (2, 1, 3)]))
    add(case("concatenate_axis0", lambda n: L.Concatenate(axis=0, name=n), [(2, 3), (1, 3)]))
    add(case("concatenate_axis_neg2", lambda n: L.Concatenate(axis=-2, name=n), [(2, 1, 2, 3), (2, 1, 4, 3)]))
    add(case("dot_1", lambda n: L.Dot(axes=1, name=n), [(3, 4), (3, 4)]))
    add(case("dot_2_1", lambda n: L.Dot(axes=(2, 1), name=n), [(2, 3, 4), (2, 4, 5)]))
    add(case("dot_neg1", lambda n: L.Dot(axes=-1, name=n), [(2, 3, 4), (2, 5, 4)]))
    add(case("dot_1_1_rank3_rank2", lambda n: L.Dot(axes=(1, 1), name=n), [(2, 4, 3), (2, 4)]))
    add(case("dot_1_2_docstring", lambda n: L.Dot(axes=(1, 2), name=n), [(2, 3, 5), (2, 10, 3)]))
    add(case("dot_2_3_rank4", lambda n: L.Dot(axes=[2, 3], name=n), [(2, 3, 4, 2), (2, 2, 3, 4)]))
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "merge.json")
    doc = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases()}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(doc['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
