#!/usr/bin/env python3
"""Writes tests/golden/regularizers.json: regularizers, constraints and their layer arguments
as real Keras 3 computes and serializes them.

The C++ tests (tests/regularization/) read the JSON and never run Python. To regenerate:

    KERAS_BACKEND=jax /work/main/.venv-keras/bin/python tests/golden/make_regularizer_goldens.py

Sections:
- "regularizers": for each regularizer, its serialized form, and on fixed tensors its penalty
  and the penalty's gradient (jax.grad).
- "names": what keras.regularizers.get / keras.constraints.get make of each string name.
- "constraints": for each constraint, its serialized form and its projection of fixed weights.
- "activity": a Dense layer with an activity regularizer called on a batch: its output and
  `layer.losses` (Keras divides the activity penalty by the batch size).
- "training": a small Sequential model with weight and activity regularizers and constraints:
  its initial weights, a fixed batch, and for three `train_on_batch` steps (SGD) the logged
  loss (the data loss plus every penalty) and the weights after the step (constraints applied);
  then `evaluate` on the same batch (the penalties join the loss in inference too), and the
  model's `to_json()`.
- "layer_configs": the configs of every layer that takes regularizers or constraints, with some
  set, which Strata must read and write alike.
Non-finite values are written as the strings "nan", "inf" and "-inf".
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import constraints as C  # noqa: E402
from keras import layers  # noqa: E402
from keras import regularizers as R  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regularizers.json")


def number(v):
    """A float, or "nan" / "inf" / "-inf" (JSON has no non-finite numbers)."""
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def floats(a):
    return [number(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def tensor(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "values": floats(a)}


def fixed_tensors():
    rng = np.random.default_rng(20260115)
    matrix = rng.normal(0.0, 1.0, (5, 3)).astype(np.float32)
    matrix[1, 2] = 0.0  # sign(0) = 0 in L1's gradient
    wide = rng.normal(0.0, 1.0, (3, 6)).astype(np.float32)
    cube = rng.normal(0.0, 0.7, (2, 3, 2)).astype(np.float32)
    zero_row = rng.normal(0.0, 1.0, (4, 3)).astype(np.float32)
    zero_row[2, :] = 0.0  # Keras's normalize clamps 1 / |v| at 1e7
    return {"matrix": matrix, "wide": wide, "cube": cube, "zero_row": zero_row}


def regularizer_cases():
    return [
        ("l1", R.L1(0.3), ["matrix", "cube"]),
        ("l1_default", R.L1(), ["matrix"]),
        ("l2", R.L2(0.05), ["matrix", "cube"]),
        ("l2_default", R.L2(), ["matrix"]),
        ("l1l2", R.L1L2(l1=0.01, l2=0.02), ["matrix", "cube"]),
        ("l1l2_l2_only", R.L1L2(l2=0.1), ["matrix"]),
        ("orthogonal_rows", R.OrthogonalRegularizer(factor=0.1, mode="rows"), ["matrix", "wide", "zero_row"]),
        ("orthogonal_columns", R.OrthogonalRegularizer(factor=0.2, mode="columns"), ["matrix", "wide", "zero_row"]),
        ("orthogonal_default", R.OrthogonalRegularizer(), ["wide"]),
    ]


def regularizers_section(tensors):
    out = []
    for name, reg, inputs in regularizer_cases():
        evaluations = []
        for key in inputs:
            x = jnp.asarray(tensors[key])
            value, grad = jax.value_and_grad(lambda v: reg(v))(x)
            evaluations.append({"input": key, "value": float(value), "grad": floats(grad)})
        out.append({"name": name, "serialized": keras.saving.serialize_keras_object(reg),
                    "evaluations": evaluations})
    return out


def names_section():
    regs = {}
    for name in ["l1", "l2", "l1l2", "orthogonal_regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer"]:
        regs[name] = keras.saving.serialize_keras_object(R.get(name))
    cons = {}
    for name in ["max_norm", "non_neg", "unit_norm", "min_max_norm", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm"]:
        cons[name] = keras.saving.serialize_keras_object(C.get(name))
    refused = []
    for name in ["l1_l2", "l3"]:
        try:
            R.get(name)
        except ValueError as e:
            refused.append({"name": name, "error": str(e)})
    return {"regularizers": regs, "constraints": cons, "refused_regularizers": refused}


def constraint_cases():
    return [
        ("max_norm_default", C.MaxNorm(), "dense"),
        ("max_norm_small", C.MaxNorm(max_value=0.8, axis=0), "dense"),
        ("max_norm_axis1", C.MaxNorm(max_value=1.0, axis=1), "dense"),
        ("max_norm_conv", C.MaxNorm(max_value=1.5, axis=[0, 1, 2]), "conv"),
        ("max_norm_none", C.MaxNorm(max_value=1.0, axis=None), "dense"),
        ("non_neg", C.NonNeg(), "specials"),
        ("unit_norm", C.UnitNorm(), "dense"),
        ("unit_norm_last", C.UnitNorm(axis=-1), "conv"),
        ("min_max_norm", C.MinMaxNorm(min_value=0.5, max_value=1.2, rate=0.7, axis=0), "dense"),
        ("min_max_norm_default", C.MinMaxNorm(), "dense"),
    ]


def constraints_section():
    rng = np.random.default_rng(7)
    weights = {
        "dense": rng.normal(0.0, 1.2, (4, 3)).astype(np.float32),
        "conv": rng.normal(0.0, 0.6, (3, 3, 2, 4)).astype(np.float32),
        "specials": np.array([-1.5, 0.0, 2.0, -0.0, np.nan, np.inf, -np.inf, 3e-8], dtype=np.float32),
    }
    weights["dense"][:, 1] *= 0.1  # one column inside every bound
    out = []
    for name, con, key in constraint_cases():
        w = weights[key]
        projected = np.asarray(con(jnp.asarray(w)))
        out.append({"name": name, "serialized": keras.saving.serialize_keras_object(con), "input": tensor(w),
                    "output": tensor(projected)})
    return out


def activity_section():
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, (5, 4)).astype(np.float32)
    kernel = rng.normal(0.0, 0.5, (4, 3)).astype(np.float32)
    bias = np.array([0.1, -0.2, 0.05], dtype=np.float32)
    cases = []
    for name, reg in [("l2", R.L2(0.1)), ("l1", R.L1(0.02)), ("l1l2", R.L1L2(0.01, 0.03))]:
        layer = layers.Dense(3, activation="tanh", activity_regularizer=reg)
        layer.build((None, 4))
        layer.set_weights([kernel, bias])
        y = layer(x)
        cases.append({"name": name, "serialized": keras.saving.serialize_keras_object(reg),
                      "output": tensor(y), "losses": [float(v) for v in layer.losses]})
    return {"x": tensor(x), "kernel": tensor(kernel), "bias": tensor(bias), "cases": cases}


def training_model():
    model = keras.Sequential([
        keras.Input((4,)),
        layers.Dense(5, activation="relu", kernel_regularizer=R.L2(0.01), bias_regularizer=R.L1(0.02),
                     activity_regularizer=R.L1(0.001), kernel_constraint=C.MaxNorm(0.9), name="hidden"),
        layers.Dense(2, kernel_regularizer=R.L1L2(l1=0.01, l2=0.02), bias_constraint=C.NonNeg(),
                     activity_regularizer=R.L2(0.005), name="out"),
    ])
    return model


def training_section():
    keras.utils.set_random_seed(3)
    model = training_model()
    rng = np.random.default_rng(5)
    initial = [rng.normal(0.0, 0.6, w.shape).astype(np.float32) for w in model.get_weights()]
    initial[3][:] = [0.05, -0.05]  # the NonNeg bias starts with a negative entry
    model.set_weights(initial)
    x = rng.normal(0.0, 1.0, (6, 4)).astype(np.float32)
    y = rng.normal(0.0, 1.0, (6, 2)).astype(np.float32)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    steps = []
    for _ in range(3):
        logs = model.train_on_batch(x, y, return_dict=True)
        steps.append({"loss": float(logs["loss"]), "weights": [tensor(w) for w in model.get_weights()]})
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    paths = [w.path for w in model.weights]
    return {"paths": paths, "initial": [tensor(w) for w in initial], "x": tensor(x), "y": tensor(y),
            "steps": steps, "evaluate_loss": float(evaluated["loss"]), "model_json": json.loads(model.to_json())}


def layer_configs_section():
    """Configs of every layer that takes regularizers or constraints, with some of them set."""
    made = [
        layers.Dense(3, kernel_regularizer="l2", bias_regularizer=R.L1(0.5), activity_regularizer=R.L1L2(0.1, 0.2),
                     kernel_constraint="max_norm", bias_constraint=C.NonNeg(), name="d"),
        layers.Dense(3, name="d_plain"),
        layers.Conv1D(2, 3, kernel_regularizer=R.L2(0.3), kernel_constraint=C.UnitNorm(axis=[0, 1]), name="c1"),
        layers.Conv2D(2, 3, bias_regularizer="l1", activity_regularizer="l2",
                      kernel_constraint=C.MaxNorm(3, axis=[0, 1, 2]), name="c2"),
        layers.Conv2DTranspose(2, 3, kernel_regularizer=R.OrthogonalRegularizer(0.5, "columns"),
                               bias_constraint=C.MinMaxNorm(0.1, 2.0, 0.5, 0), name="c2t"),
        layers.DepthwiseConv2D(3, depthwise_regularizer="l2", depthwise_constraint="non_neg",
                               bias_regularizer=R.L2(0.7), name="dw"),
        layers.SeparableConv2D(2, 3, depthwise_regularizer="l1", pointwise_regularizer=R.L2(0.2),
                               pointwise_constraint=C.UnitNorm(), depthwise_constraint=C.MaxNorm(1.0), name="sep"),
        layers.BatchNormalization(beta_regularizer="l2", gamma_regularizer=R.L1(0.1), beta_constraint="non_neg",
                                  gamma_constraint=C.MaxNorm(2.5, axis=0), name="bn"),
        layers.LayerNormalization(gamma_regularizer="l2", beta_constraint=C.UnitNorm(axis=0), name="ln"),
        layers.Flatten(activity_regularizer=R.L2(0.25), name="flat"),
    ]
    return [{"class_name": type(layer).__name__, "config": layer.get_config()} for layer in made]


def main():
    tensors = fixed_tensors()
    data = {
        "keras_version": keras.__version__,
        "tensors": {k: tensor(v) for k, v in tensors.items()},
        "regularizers": regularizers_section(tensors),
        "names": names_section(),
        "constraints": constraints_section(),
        "activity": activity_section(),
        "training": training_section(),
        "layer_configs": layer_configs_section(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
