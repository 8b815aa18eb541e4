#!/usr/bin/env python3
"""Writes tests/golden/optimizers.json: optimizer trajectories and configs from real Keras 3.

The C++ tests (tests/optimizers/) read the JSON and never run Python. To regenerate:

    python3 -m venv /work/main/.venv-keras            # once; reuse it if it exists
    .venv-keras/bin/pip install keras numpy jax scipy  # Keras's numpy backend imports jax and scipy
    KERAS_BACKEND=numpy .venv-keras/bin/python tests/golden/make_optimizer_goldens.py

For every case: three variables (paths "dense/kernel", "dense/bias", "norm/gamma"), their
initial values, a fixed sequence of five gradients, the learning rate before each step (the
learning-rate-change cases set `optimizer.learning_rate` between steps), and after each step
the variable values and the optimizer's slot variables (Keras's `optimizer.variables` minus
`iteration` and `learning_rate`, in Keras's order). Also each optimizer's `get_config()` and
its `keras.optimizers.serialize()` wrapper.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras  # noqa: E402
import numpy as np  # noqa: E402

STEPS = 5
SHAPES = {"dense/kernel": (3, 2), "dense/bias": (2,), "norm/gamma": (4,)}


def make_data():
    rng = np.random.default_rng(20240611)
    initial = {p: rng.normal(0.0, 1.0, s).astype(np.float32) for p, s in SHAPES.items()}
    grads = []
    for step in range(STEPS):
        # Large early gradients (so every clipping mode clips), shrinking later (so AMSGrad's
        # v_hat differs from v), one exact zero, and signs that change between steps.
        scale = [2.0, 1.5, 0.3, 0.05, 0.8][step]
        g = {p: (rng.normal(0.0, 1.0, s) * scale).astype(np.float32) for p, s in SHAPES.items()}
        if step == 1:
            g["dense/bias"][0] = 0.0
        grads.append(g)
    return initial, grads


def cases():
    O = keras.optimizers
    lr_change = [0.05, 0.05, 0.01, 0.01, 0.2]
    return [
        # name, factory, learning rate before each step (None: never set)
        ("sgd", lambda: O.SGD(0.1), None),
        ("sgd_default", lambda: O.SGD(), None),
        ("sgd_momentum", lambda: O.SGD(0.05, momentum=0.9), None),
        ("sgd_nesterov", lambda: O.SGD(0.05, momentum=0.9, nesterov=True), None),
        ("sgd_weight_decay", lambda: O.SGD(0.1, weight_decay=0.05), None),
        ("sgd_clipnorm", lambda: O.SGD(0.1, clipnorm=0.5), None),
        ("sgd_clipvalue", lambda: O.SGD(0.1, clipvalue=0.3), None),
        ("sgd_global_clipnorm", lambda: O.SGD(0.1, global_clipnorm=1.0), None),
        ("sgd_momentum_lr_change", lambda: O.SGD(0.05, momentum=0.5), lr_change),
        ("adam", lambda: O.Adam(0.05), None),
        ("adam_default", lambda: O.Adam(), None),
        ("adam_amsgrad", lambda: O.Adam(0.05, amsgrad=True), None),
        ("adam_betas", lambda: O.Adam(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3), None),
        ("adam_weight_decay", lambda: O.Adam(0.05, weight_decay=0.1), None),
        ("adam_clipnorm", lambda: O.Adam(0.05, clipnorm=0.5), None),
        ("adam_clipvalue", lambda: O.Adam(0.05, clipvalue=0.3), None),
        ("adam_global_clipnorm", lambda: O.Adam(0.05, global_clipnorm=1.0), None),
        ("adam_lr_change", lambda: O.Adam(0.05), lr_change),
        ("adamw", lambda: O.AdamW(0.05, weight_decay=0.1), None),
        ("adamw_default", lambda: O.AdamW(), None),
        ("adamw_amsgrad_clipnorm", lambda: O.AdamW(0.05, amsgrad=True, clipnorm=0.5), None),
        ("rmsprop", lambda: O.RMSprop(0.01), None),
        ("rmsprop_momentum", lambda: O.RMSprop(0.01, momentum=0.9), None),
        ("rmsprop_centered", lambda: O.RMSprop(0.01, centered=True), None),
        ("rmsprop_centered_momentum",
         lambda: O.RMSprop(0.01, rho=0.8, momentum=0.5, epsilon=1e-6, centered=True), None),
        ("rmsprop_weight_decay_clipvalue",
         lambda: O.RMSprop(0.01, weight_decay=0.2, clipvalue=0.5), None),
        ("adagrad", lambda: O.Adagrad(0.1), None),
        ("adagrad_initial", lambda: O.Adagrad(0.1, initial_accumulator_value=0.5, epsilon=1e-4),
         None),
        ("adagrad_global_clipnorm_lr_change",
         lambda: O.Adagrad(0.05, global_clipnorm=0.7), lr_change),
    ]


def flat(x):
    return [float(v) for v in np.asarray(x, dtype=np.float32).reshape(-1)]


def run_case(name, factory, learning_rates, initial, grads):
    keras.backend.clear_session()  # default names come out unsuffixed ("adam", not "adam_3")
    opt = factory()
    variables = []
    for path, value in initial.items():
        scope, vname = path.split("/")
        with keras.name_scope(scope):
            variables.append(keras.Variable(value.copy(), name=vname, dtype="float32"))
    assert [v.path for v in variables] == list(SHAPES), [v.path for v in variables]

    steps = []
    used_lr = []
    for step in range(STEPS):
        if learning_rates is not None:
            opt.learning_rate = learning_rates[step]
        used_lr.append(float(np.asarray(opt.learning_rate)))
        opt.apply([grads[step][p] for p in SHAPES], variables)
        slots = [v for v in opt.variables if v.name not in ("iteration", "learning_rate")]
        steps.append({
            "values": [flat(v.numpy()) for v in variables],
            "slots": [flat(v.numpy()) for v in slots],
        })
    slot_vars = [v for v in opt.variables if v.name not in ("iteration", "learning_rate")]
    return {
        "name": name,
        "class_name": opt.__class__.__name__,
        "config": opt.get_config(),
        "serialized": keras.optimizers.serialize(opt),
        "set_learning_rates": learning_rates,
        "learning_rates": used_lr,
        "slot_paths": [v.path for v in slot_vars],
        "slot_shapes": [list(v.shape) for v in slot_vars],
        "iterations": int(np.asarray(opt.iterations)),
        "steps": steps,
    }


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
    initial, grads = make_data()
    doc = {
        "keras_version": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy_version": np.__version__,
        "variables": [{"path": p, "shape": list(s), "initial": flat(initial[p])}
                      for p, s in SHAPES.items()],
        "gradients": [[flat(g[p]) for p in SHAPES] for g in grads],
        "cases": [run_case(n, f, lr, initial, grads) for n, f, lr in cases()],
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(doc['cases'])} cases, Keras {keras.__version__} "
          f"({keras.backend.backend()} backend)")


if __name__ == "__main__":
    main()
