#!/usr/bin/env python3
"""Writes tests/golden/layers.json: outputs and configs of pooling, normalization, reshaping and
activation layers from real Keras 3.

The C++ tests (tests/layers/layer_goldens_test.cpp) read the JSON and never run Python. To
regenerate:

    python3 -m venv /work/main/.venv-keras               # once; reuse it if it exists
    .venv-keras/bin/pip install keras numpy jax
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_layer_goldens.py

Every case holds the layer's class name and `get_config()` (the layer is named after the case,
so the config is reproducible), its weights in `layer.weights` order (trainable first, then
non-trainable: BatchNormalization's gamma, beta, moving_mean, moving_variance) as set before the
first call, and a list of calls on one layer object: input, `training` flag, output, and the
weights after the call (BatchNormalization's moving statistics move in training calls). Arrays
are flat, row-major float32 values with their shapes beside them.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers
RNG = np.random.default_rng(20250611)


def uniform(shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def to_numpy(a):
    return np.asarray(keras.ops.convert_to_numpy(a), dtype=np.float32)


def flat(a):
    return [float(v) for v in to_numpy(a).reshape(-1)]


def case(name, make, shapes, training=None, weights=None):
    """`make(name)` builds the layer; `shapes` are the input shapes of successive calls (all
    inference unless `training` gives a flag per call); `weights(layer)` returns the values to set."""
    layer = make(name)
    training = training or [False] * len(shapes)
    layer.build(shapes[0])
    if weights is not None:
        layer.set_weights([np.asarray(w, dtype=np.float32) for w in weights(layer)])
    start = [to_numpy(w) for w in layer.weights]
    calls = []
    for shape, train in zip(shapes, training):
        x = uniform(shape)
        y = to_numpy(layer(x, training=train))
        calls.append({
            "input_shape": list(shape),
            "input": flat(x),
            "training": train,
            "output_shape": list(y.shape),
            "output": flat(y),
            "weights_after": [flat(w) for w in layer.weights],
        })
    return {
        "name": name,
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "weight_names": [w.name for w in layer.weights],
        "weight_shapes": [list(w.shape) for w in layer.weights],
        "weights": [flat(w) for w in start],
        "calls": calls,
    }


def bn_weights(layer):
    c = layer.moving_mean.shape[0]
    out = []
    if layer.scale:
        out.append(uniform((c,), 0.5, 1.5))
    if layer.center:
        out.append(uniform((c,), -0.5, 0.5))
    out.append(uniform((c,), -0.5, 0.5))   # moving_mean
    out.append(uniform((c,), 0.5, 2.0))    # moving_variance
    return out


def ln_weights(layer):
    return [uniform(tuple(w.shape), 0.5, 1.5) if w.name == "gamma" else uniform(tuple(w.shape), -0.5, 0.5)
            for w in layer.weights]


def cases():
    out = []
    add = out.append
    # ---- pooling ------------------------------------------------------------------------
    add(case("max_pool2d_default", lambda n: L.MaxPooling2D(name=n), [(2, 4, 4, 3)]))
    add(case("max_pool2d_odd_valid", lambda n: L.MaxPooling2D(name=n), [(2, 5, 7, 3)]))
    add(case("max_pool2d_3_s2_same", lambda n: L.MaxPooling2D(3, 2, "same", name=n), [(2, 7, 5, 3)]))
    add(case("max_pool2d_2x3_s1x2_valid", lambda n: L.MaxPooling2D((2, 3), (1, 2), name=n), [(1, 5, 7, 2)]))
    add(case("max_pool2d_2_s1_same", lambda n: L.MaxPooling2D(2, 1, "same", name=n), [(1, 3, 4, 2)]))
    add(case("avg_pool2d_2_valid", lambda n: L.AveragePooling2D(2, name=n), [(2, 5, 5, 3)]))
    add(case("avg_pool2d_3_s2_same", lambda n: L.AveragePooling2D(3, 2, "same", name=n), [(2, 7, 6, 2)]))
    add(case("avg_pool2d_3x2_s2x1_same", lambda n: L.AveragePooling2D((3, 2), (2, 1), "same", name=n),
             [(1, 5, 4, 3)]))
    add(case("avg_pool2d_2_s2_same_odd", lambda n: L.AveragePooling2D(2, padding="same", name=n), [(1, 5, 5, 2)]))
    add(case("max_pool1d_default", lambda n: L.MaxPooling1D(name=n), [(2, 7, 3)]))
    add(case("max_pool1d_3_s2_same", lambda n: L.MaxPooling1D(3, 2, "same", name=n), [(2, 8, 3)]))
    add(case("avg_pool1d_2_valid", lambda n: L.AveragePooling1D(2, name=n), [(1, 5, 4)]))
    add(case("avg_pool1d_3_s1_same", lambda n: L.AveragePooling1D(3, 1, "same", name=n), [(2, 6, 2)]))
    add(case("gap2d", lambda n: L.GlobalAveragePooling2D(name=n), [(2, 5, 3, 4)]))
    add(case("gap2d_keepdims", lambda n: L.GlobalAveragePooling2D(keepdims=True, name=n), [(2, 3, 3, 2)]))
    add(case("gmp2d", lambda n: L.GlobalMaxPooling2D(name=n), [(2, 4, 5, 3)]))
    add(case("gmp2d_keepdims", lambda n: L.GlobalMaxPooling2D(keepdims=True, name=n), [(1, 2, 3, 2)]))
    add(case("gap1d", lambda n: L.GlobalAveragePooling1D(name=n), [(2, 7, 3)]))
    add(case("gap1d_keepdims", lambda n: L.GlobalAveragePooling1D(keepdims=True, name=n), [(1, 4, 3)]))
    # ---- normalization ------------------------------------------------------------------
    add(case("bn_inference", lambda n: L.BatchNormalization(name=n), [(4, 3)], weights=bn_weights))
    add(case("bn_inference_4d", lambda n: L.BatchNormalization(name=n), [(2, 3, 3, 4)], weights=bn_weights))
    add(case("bn_training_default", lambda n: L.BatchNormalization(name=n), [(8, 3)], [True], weights=bn_weights))
    # Several training calls at momentum 0.9 (the moving statistics move visibly), then inference.
    add(case("bn_training_steps", lambda n: L.BatchNormalization(momentum=0.9, epsilon=1e-2, name=n),
             [(6, 2, 2, 3), (6, 2, 2, 3), (4, 2, 2, 3), (3, 2, 2, 3)], [True, True, True, False],
             weights=bn_weights))
    add(case("bn_no_center_no_scale",
             lambda n: L.BatchNormalization(center=False, scale=False, momentum=0.5, name=n),
             [(5, 4), (5, 4), (2, 4)], [True, True, False], weights=bn_weights))
    add(case("bn_no_scale", lambda n: L.BatchNormalization(scale=False, name=n), [(4, 3)], [True],
             weights=bn_weights))
    add(case("ln_default", lambda n: L.LayerNormalization(name=n), [(3, 5)], weights=ln_weights))
    add(case("ln_3d", lambda n: L.LayerNormalization(epsilon=1e-5, name=n), [(2, 3, 4)], weights=ln_weights))
    add(case("ln_no_center", lambda n: L.LayerNormalization(center=False, name=n), [(4, 6)], weights=ln_weights))
    add(case("ln_no_scale_no_center", lambda n: L.LayerNormalization(center=False, scale=False, name=n),
             [(2, 2, 5)]))
    add(case("spatial_dropout2d", lambda n: L.SpatialDropout2D(0.3, seed=5, name=n), [(2, 3, 3, 2)]))
    # ---- reshaping ----------------------------------------------------------------------
    add(case("zero_padding2d_default", lambda n: L.ZeroPadding2D(name=n), [(2, 3, 2, 2)]))
    add(case("zero_padding2d_pair", lambda n: L.ZeroPadding2D((1, 2), name=n), [(1, 2, 3, 2)]))
    add(case("zero_padding2d_sides", lambda n: L.ZeroPadding2D(((1, 0), (2, 3)), name=n), [(2, 3, 3, 1)]))
    add(case("cropping2d_int", lambda n: L.Cropping2D(1, name=n), [(2, 4, 5, 2)]))
    add(case("cropping2d_pair", lambda n: L.Cropping2D((1, 2), name=n), [(1, 5, 6, 2)]))
    add(case("cropping2d_sides", lambda n: L.Cropping2D(((1, 0), (2, 3)), name=n), [(2, 4, 7, 1)]))
    add(case("up_sampling2d_default", lambda n: L.UpSampling2D(name=n), [(2, 2, 3, 2)]))
    add(case("up_sampling2d_2x3", lambda n: L.UpSampling2D((2, 3), name=n), [(1, 3, 2, 2)]))
    add(case("rescaling_255", lambda n: L.Rescaling(1.0 / 255, name=n), [(2, 3, 4)]))
    add(case("rescaling_offset", lambda n: L.Rescaling(0.5, -1.0, name=n), [(3, 5)]))
    # ---- activations --------------------------------------------------------------------
    add(case("relu_default", lambda n: L.ReLU(name=n), [(3, 7)]))
    add(case("relu6", lambda n: L.ReLU(6.0, name=n), [(3, 7)]))
    add(case("relu_max_value_1", lambda n: L.ReLU(1.0, name=n), [(2, 3, 4)]))
    add(case("relu_slope_threshold", lambda n: L.ReLU(None, 0.1, 0.5, name=n), [(4, 5)]))
    add(case("relu_all", lambda n: L.ReLU(1.5, 0.2, 0.3, name=n), [(4, 5)]))
    add(case("leaky_relu_default", lambda n: L.LeakyReLU(name=n), [(3, 6)]))
    add(case("leaky_relu_0_1", lambda n: L.LeakyReLU(0.1, name=n), [(2, 2, 3)]))
    add(case("softmax_2d", lambda n: L.Softmax(name=n), [(3, 5)]))
    add(case("softmax_3d", lambda n: L.Softmax(name=n), [(2, 3, 4)]))
    add(case("gmp1d", lambda n: L.GlobalMaxPooling1D(name=n), [(2, 5, 3)]))
    add(case("gmp1d_keepdims", lambda n: L.GlobalMaxPooling1D(keepdims=True, name=n), [(3, 4, 2)]))
    return out


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "layers.json")
    doc = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "cases": cases(),
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {len(doc['cases'])} cases to {out_path}")


if __name__ == "__main__":
    main()
