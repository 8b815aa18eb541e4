#!/usr/bin/env python3
"""Writes tests/golden/tensorboard.json: TensorBoard's own histogram buckets and record CRCs.

The C++ tests (tests/callbacks/tensorboard_test.cpp) compare Strata's histogram bucketing and
its masked CRC-32C with these, exactly. To regenerate:

    scripts/keras-venv
    .venv-keras/bin/python tests/golden/make_tensorboard_goldens.py

- "histograms": float32 arrays (normal, uniform, constant, one value, two values) and the
  (30, 3) [left, right, count] rows of tensorboard.plugins.histogram.summary_v2.histogram_pb,
  the numpy twin of the tf.summary.histogram that Keras's TensorBoard callback calls (both
  split [min, max] with linspace and set the last edge to max).
- "crc": byte strings (hex) with tensorboard's crc32c and masked_crc32c, the checksums of
  TFRecord framing that TensorBoard's reader verifies.
"""

import json
import os

import numpy as np
from tensorboard.compat.tensorflow_stub import pywrap_tensorflow
from tensorboard.plugins.histogram import summary_v2
from tensorboard.util import tensor_util
import tensorboard


def histogram(values):
    summary = summary_v2.histogram_pb("h", values)
    rows = tensor_util.make_ndarray(summary.value[0].tensor)
    return {"values": [repr(float(v)) for v in values], "buckets": [[repr(float(x)) for x in row] for row in rows]}


def main():
    rng = np.random.default_rng(12)
    arrays = {
        "normal": rng.normal(0.0, 0.3, size=200).astype(np.float32),
        "uniform": rng.uniform(-1.0, 2.0, size=57).astype(np.float32),
        "constant": np.full(10, 0.25, dtype=np.float32),
        "one": np.array([3.5], dtype=np.float32),
        "two": np.array([-1.0, 1.0], dtype=np.float32),
    }
    histograms = {name: histogram(a) for name, a in arrays.items()}
    crc_inputs = [b"", b"123456789", bytes(32), bytes(range(32)), b"\x08\x00\x00\x00\x00\x00\x00\x00",
                  bytes(rng.integers(0, 256, size=300, dtype=np.uint8))]
    crc = [{"hex": data.hex(), "crc32c": pywrap_tensorflow.crc32c(data) & 0xFFFFFFFF,
            "masked": pywrap_tensorflow.masked_crc32c(data) & 0xFFFFFFFF} for data in crc_inputs]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensorboard.json")
    with open(out, "w") as f:
        json.dump({"tensorboard_version": tensorboard.__version__, "histograms": histograms, "crc": crc}, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
