#!/usr/bin/env python3
"""Writes tests/golden/conv.json: convolution layers run by real Keras 3 (JAX backend).

The C++ tests (tests/layers/conv_golden_test.cpp) read the JSON and never run Python. To
regenerate:

    python3 -m venv /work/main/.venv-keras                 # once; reuse it if it exists
    .venv-keras/bin/pip install keras jax                  # Keras 3 with the JAX backend
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_conv_goldens.py

Three lists:
  cases:  a layer built from keyword arguments, its weights set to seeded uniform values in
          Keras's weight order, run on a seeded input: Keras's get_config(), the input, the
          weights, the output, and compute_output_shape for the batch-None input shape.
  shapes: compute_output_shape for symbolic input shapes (None axes included).
  errors: keyword arguments (and an input shape to build with, where the check is in build)
          that Keras rejects, with the message of the ValueError it raises.
"""

import json
import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_default_matmul_precision", "highest")

import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers

# name, class, kwargs, input shape (batch included)
CASES = [
    ("conv2d_valid", "Conv2D", dict(filters=4, kernel_size=3), (2, 5, 6, 3)),
    ("conv2d_relu_rect", "Conv2D", dict(filters=3, kernel_size=(2, 3), activation="relu"), (2, 4, 5, 2)),
    ("conv2d_same_even_strides2", "Conv2D",
     dict(filters=5, kernel_size=(2, 4), strides=2, padding="same"), (2, 7, 8, 3)),
    ("conv2d_same_k4", "Conv2D", dict(filters=2, kernel_size=4, padding="same", use_bias=False), (1, 5, 5, 2)),
    ("conv2d_dilation2_same", "Conv2D",
     dict(filters=3, kernel_size=3, padding="same", dilation_rate=2, activation="tanh"), (1, 7, 7, 2)),
    ("conv2d_dilation_rect_valid", "Conv2D", dict(filters=2, kernel_size=(2, 3), dilation_rate=(2, 1)), (2, 6, 6, 2)),
    ("conv2d_groups2", "Conv2D",
     dict(filters=6, kernel_size=(3, 2), strides=(2, 1), groups=2, activation="sigmoid"), (2, 7, 5, 4)),
    ("conv2d_strides_valid_odd", "Conv2D", dict(filters=3, kernel_size=3, strides=(2, 3)), (1, 9, 10, 3)),
    ("conv1d_valid", "Conv1D", dict(filters=4, kernel_size=3), (2, 9, 3)),
    ("conv1d_causal_dilation2", "Conv1D",
     dict(filters=3, kernel_size=3, padding="causal", dilation_rate=2), (2, 8, 2)),
    ("conv1d_same_even_strides2", "Conv1D", dict(filters=2, kernel_size=4, strides=2, padding="same"), (2, 9, 3)),
    ("conv1d_groups3_sigmoid", "Conv1D",
     dict(filters=3, kernel_size=2, groups=3, activation="sigmoid"), (1, 6, 6)),
    ("conv1d_causal_strides2", "Conv1D", dict(filters=2, kernel_size=2, strides=2, padding="causal"), (2, 7, 2)),
    ("conv2d_transpose_valid", "Conv2DTranspose", dict(filters=3, kernel_size=3), (2, 4, 5, 2)),
    ("conv2d_transpose_same_strides2", "Conv2DTranspose",
     dict(filters=2, kernel_size=3, strides=2, padding="same"), (2, 3, 4, 3)),
    ("conv2d_transpose_same_even_strides2", "Conv2DTranspose",
     dict(filters=3, kernel_size=4, strides=2, padding="same", activation="relu"), (1, 3, 3, 2)),
    ("conv2d_transpose_valid_output_padding", "Conv2DTranspose",
     dict(filters=2, kernel_size=3, strides=2, output_padding=1), (2, 3, 4, 2)),
    ("conv2d_transpose_same_output_padding", "Conv2DTranspose",
     dict(filters=2, kernel_size=(3, 2), strides=(2, 3), padding="same", output_padding=(1, 0)), (1, 3, 3, 2)),
    ("conv2d_transpose_dilation2", "Conv2DTranspose",
     dict(filters=2, kernel_size=3, dilation_rate=2, use_bias=False), (1, 4, 4, 3)),
    ("conv2d_transpose_same_k2_strides3", "Conv2DTranspose",
     dict(filters=2, kernel_size=2, strides=3, padding="same", activation="tanh"), (2, 3, 2, 2)),
    ("conv2d_transpose_valid_k1_strides3", "Conv2DTranspose", dict(filters=3, kernel_size=1, strides=3), (1, 3, 2, 2)),
    ("depthwise_conv2d_valid", "DepthwiseConv2D", dict(kernel_size=3), (2, 5, 6, 3)),
    ("depthwise_conv2d_dm2_same_strides2", "DepthwiseConv2D",
     dict(kernel_size=3, strides=2, padding="same", depth_multiplier=2, activation="relu"), (2, 7, 6, 2)),
    ("depthwise_conv2d_dilation2_rect", "DepthwiseConv2D",
     dict(kernel_size=(2, 3), padding="same", dilation_rate=2, depth_multiplier=3), (1, 6, 7, 2)),
    ("depthwise_conv2d_strides_and_dilation", "DepthwiseConv2D",
     dict(kernel_size=2, strides=2, dilation_rate=2, use_bias=False), (1, 7, 7, 2)),
    ("separable_conv2d_valid", "SeparableConv2D", dict(filters=5, kernel_size=3), (2, 5, 6, 3)),
    ("separable_conv2d_dm2_same_strides2", "SeparableConv2D",
     dict(filters=4, kernel_size=3, strides=2, padding="same", depth_multiplier=2, activation="relu"), (2, 7, 6, 2)),
    ("separable_conv2d_dilation2_nobias", "SeparableConv2D",
     dict(filters=3, kernel_size=(3, 2), padding="same", dilation_rate=2, use_bias=False), (1, 6, 6, 2)),
]

# class, kwargs, symbolic input shape
SHAPES = [
    ("Conv2D", dict(filters=8, kernel_size=3), (None, 28, 28, 1)),
    ("Conv2D", dict(filters=8, kernel_size=3, strides=2, padding="same"), (None, 28, 27, 1)),
    ("Conv2D", dict(filters=4, kernel_size=(3, 5), strides=(1, 2)), (None, None, 11, 2)),
    ("Conv2D", dict(filters=4, kernel_size=3, dilation_rate=3), (None, 10, 7, 2)),
    ("Conv1D", dict(filters=4, kernel_size=5, strides=3), (None, 20, 2)),
    ("Conv1D", dict(filters=4, kernel_size=5, strides=3, padding="causal"), (None, 20, 2)),
    ("Conv1D", dict(filters=4, kernel_size=5, padding="same"), (None, None, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2), (None, 5, 6, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=1, strides=3), (None, 5, 6, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, padding="same"), (None, 5, None, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=4, strides=2, padding="same", output_padding=1), (None, 5, 6, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=(3, 2), output_padding=(2, 0)), (None, 5, 6, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, dilation_rate=2, padding="same"), (None, 5, 6, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=4), (None, 9, 8, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, strides=2, padding="same"), (None, 9, 8, 3)),
    ("SeparableConv2D", dict(filters=7, kernel_size=3, strides=2), (None, 9, 8, 3)),
]

# class, kwargs, input shape to build with (None: the constructor raises)
ERRORS = [
    ("Conv2D", dict(filters=0, kernel_size=3), None),
    ("Conv2D", dict(filters=4, kernel_size=0), None),
    ("Conv2D", dict(filters=4, kernel_size=(0, 3)), None),
    ("Conv2D", dict(filters=4, kernel_size=3, strides=(2, 0)), None),
    ("Conv2D", dict(filters=4, kernel_size=3, dilation_rate=-1), None),
    ("Conv2D", dict(filters=4, kernel_size=3, groups=0), None),
    ("Conv2D", dict(filters=4, kernel_size=3, groups=3), None),
    ("Conv2D", dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), None),
    ("Conv2D", dict(filters=4, kernel_size=3, padding="full"), None),
    ("Conv2D", dict(filters=4, kernel_size=3, padding="causal"), None),
    ("Conv2D", dict(filters=4, kernel_size=3, groups=2), (None, 5, 5, 3)),
    ("Conv2D", dict(filters=4, kernel_size=5), (None, 3, 6, 2)),
    ("Conv2D", dict(filters=4, kernel_size=3, strides=2, dilation_rate=(1, 1)), (None, 2, 6, 2)),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="full"), None),
    ("Conv1D", dict(filters=4, kernel_size=3, strides=0), None),
    ("Conv1D", dict(filters=4, kernel_size=3), (None, 2, 3)),
    ("Conv1D", dict(filters=4, kernel_size=3, groups=2), (None, 8, 3)),
    ("Conv1D", dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), None),
    ("Conv2DTranspose", dict(filters=0, kernel_size=3), None),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, output_padding=2), None),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=(2, 3), output_padding=(1, 3)), None),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, output_padding=-1), None),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), None),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, padding="causal"), None),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=0), None),
    ("DepthwiseConv2D", dict(kernel_size=(3, -2)), None),
    ("DepthwiseConv2D", dict(kernel_size=4), (None, 3, 8, 2)),
    ("SeparableConv2D", dict(filters=0, kernel_size=3, depth_multiplier=0), None),
    ("SeparableConv2D", dict(filters=0, kernel_size=3), None),
    ("SeparableConv2D", dict(filters=3, kernel_size=3), (None, 8, 2, 2)),
]


def shape_json(shape):
    return [None if d is None else int(d) for d in shape]


def normalize_message(message):
    # Python prints a set of strings in hash order, which changes between runs; write the
    # padding choices in Keras's source order.
    message = re.sub(r"\{'(valid|same|causal)'(, '(valid|same|causal)')*\}",
                     lambda m: "{" + ", ".join(f"'{p}'" for p in ("valid", "same", "causal")
                                             if f"'{p}'" in m.group(0)) + "}", message)
    return message


def make_case(index, name, class_name, kwargs, input_shape):
    rng = np.random.default_rng(1000 + index)
    layer = getattr(L, class_name)(name=name, **kwargs)
    x = rng.uniform(-1.0, 1.0, input_shape).astype(np.float32)
    layer.build(input_shape)
    weights = []
    for w in layer.weights:
        value = rng.uniform(-1.0, 1.0, tuple(w.shape)).astype(np.float32)
        w.assign(value)
        weights.append({"name": w.name, "shape": list(value.shape), "values": value.ravel().tolist()})
    y = np.asarray(layer(x))
    return {
        "name": name,
        "class_name": class_name,
        "kwargs": kwargs,
        "config": layer.get_config(),
        "input_shape": list(input_shape),
        "input": x.ravel().tolist(),
        "weights": weights,
        "output_shape": list(y.shape),
        "output": y.ravel().astype(float).tolist(),
        "symbolic_output_shape": shape_json(layer.compute_output_shape((None,) + tuple(input_shape[1:]))),
    }


def make_shape(class_name, kwargs, input_shape):
    layer = getattr(L, class_name)(**kwargs)
    out = layer.compute_output_shape(input_shape)
    return {"class_name": class_name, "kwargs": kwargs, "input_shape": shape_json(input_shape),
            "output_shape": shape_json(out)}


def make_error(class_name, kwargs, build_shape):
    try:
        layer = getattr(L, class_name)(**kwargs)
        if build_shape is None:
            raise SystemExit(f"{class_name}({kwargs}) did not raise")
        layer.build(build_shape)
    except ValueError as e:
        return {"class_name": class_name, "kwargs": kwargs,
                "build_shape": None if build_shape is None else shape_json(build_shape),
                "message": normalize_message(str(e))}
    raise SystemExit(f"{class_name}({kwargs}).build({build_shape}) did not raise")


def main():
    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv.json")
    doc = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "cases": [make_case(i, *c) for i, c in enumerate(CASES)],
        "shapes": [make_shape(*s) for s in SHAPES],
        "errors": [make_error(*e) for e in ERRORS],
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(doc['cases'])} cases, {len(doc['shapes'])} shapes, "
          f"{len(doc['errors'])} errors (Keras {keras.__version__}, {keras.backend.backend()})", file=sys.stderr)


if __name__ == "__main__":
    main()
