#!/usr/bin/env python3
"""Writes tests/golden/optimizers_extra.json: learning-rate schedules, the optimizers Strata
added after the first five (Nadam, Adamax, Adadelta, Lion, Ftrl, Adafactor), EMA and gradient
accumulation, all from real Keras 3.

The C++ tests (tests/optimizers/) read the JSON and never run Python. To regenerate:

    scripts/keras-venv    # once
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_optimizer_extra_goldens.py

"schedules": each schedule's config, its keras.optimizers.schedules.serialize() form and its
value at many steps (called with an int32 step, as an optimizer calls it with `iterations`).

"cases": four variables (one of rank 3, so Adafactor factors a batch of matrices), their initial
values, six fixed gradients; per case and per step the variable values, every optimizer
variable (Keras's `optimizer.variables` without `iteration` and `learning_rate`, in order), the
raw `iteration` variable, the `iterations` property and the learning rate the step used. Cases
with use_ema also record the variables after `finalize_variable_values`.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

STEPS = 6
SHAPES = {
    "dense/kernel": (3, 2),
    "dense/bias": (2,),
    "norm/gamma": (4,),
    "conv/kernel": (2, 3, 4),
}


def make_data():
    rng = np.random.default_rng(20261130)
    initial = {p: rng.normal(0.0, 1.0, s).astype(np.float32) for p, s in SHAPES.items()}
    grads = []
    for step in range(STEPS):
        # Large early gradients (so clipping clips), shrinking later, one exact zero, signs
        # that change between steps.
        scale = [2.0, 1.5, 0.3, 0.05, 0.8, 0.4][step]
        g = {p: (rng.normal(0.0, 1.0, s) * scale).astype(np.float32) for p, s in SHAPES.items()}
        if step == 1:
            g["dense/bias"][0] = 0.0
        grads.append(g)
    return initial, grads


S = keras.optimizers.schedules

SCHEDULE_STEPS = list(range(0, 61)) + [75, 99, 100, 101, 150, 1000, 12345]


def schedules():
    return [
        ("exponential", lambda: S.ExponentialDecay(0.1, 10, 0.9)),
        ("exponential_staircase", lambda: S.ExponentialDecay(0.05, 7, 0.5, staircase=True, name="ed")),
        ("piecewise", lambda: S.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01])),
        ("piecewise_one", lambda: S.PiecewiseConstantDecay([5], [1.0, 0.5], name="pc")),
        ("polynomial", lambda: S.PolynomialDecay(0.1, 20)),
        ("polynomial_power", lambda: S.PolynomialDecay(0.1, 20, end_learning_rate=0.001, power=2.0)),
        ("polynomial_cycle", lambda: S.PolynomialDecay(0.1, 15, end_learning_rate=0.01, power=0.5, cycle=True)),
        ("inverse_time", lambda: S.InverseTimeDecay(0.1, 10, 0.5)),
        ("inverse_time_staircase", lambda: S.InverseTimeDecay(0.2, 6, 1.5, staircase=True)),
        ("cosine", lambda: S.CosineDecay(0.1, 20)),
        ("cosine_alpha", lambda: S.CosineDecay(0.1, 30, alpha=0.1, name="cd")),
        ("cosine_warmup", lambda: S.CosineDecay(0.0, 20, alpha=0.05, warmup_target=0.2, warmup_steps=8)),
        ("cosine_warmup_from", lambda: S.CosineDecay(0.01, 25, warmup_target=0.1, warmup_steps=10)),
        ("cosine_restarts", lambda: S.CosineDecayRestarts(0.1, 10)),
        ("cosine_restarts_t1", lambda: S.CosineDecayRestarts(0.1, 8, t_mul=1.0, m_mul=0.8, alpha=0.05)),
        ("cosine_restarts_t15", lambda: S.CosineDecayRestarts(0.2, 5, t_mul=1.5, m_mul=0.9, alpha=0.1)),
    ]


def schedule_entry(name, factory):
    schedule = factory()
    values = [float(np.asarray(schedule(keras.ops.convert_to_tensor(s, dtype="int32"))))
              for s in SCHEDULE_STEPS]
    return {
        "name": name,
        "class_name": schedule.__class__.__name__,
        "config": schedule.get_config(),
        "serialized": S.serialize(schedule),
        "steps": SCHEDULE_STEPS,
        "values": values,
    }


def cases():
    O = keras.optimizers
    return [
        ("nadam", lambda: O.Nadam(0.05)),
        ("nadam_default", lambda: O.Nadam()),
        ("nadam_betas_clipnorm", lambda: O.Nadam(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3, clipnorm=0.5)),
        ("adamax", lambda: O.Adamax(0.05)),
        ("adamax_default", lambda: O.Adamax()),
        ("adamax_betas_weight_decay", lambda: O.Adamax(0.02, beta_1=0.6, beta_2=0.95, epsilon=1e-4,
                                                         weight_decay=0.1)),
        ("adadelta", lambda: O.Adadelta(1.0)),
        ("adadelta_default", lambda: O.Adadelta()),
        ("adadelta_rho_clipvalue", lambda: O.Adadelta(0.5, rho=0.8, epsilon=1e-5, clipvalue=0.3)),
        ("lion", lambda: O.Lion(0.01)),
        ("lion_default", lambda: O.Lion()),
        ("lion_betas_global_clipnorm", lambda: O.Lion(0.02, beta_1=0.5, beta_2=0.9, global_clipnorm=1.0)),
        ("ftrl", lambda: O.Ftrl(0.1)),
        ("ftrl_default", lambda: O.Ftrl()),
        ("ftrl_regularized", lambda: O.Ftrl(0.2, learning_rate_power=-0.7, initial_accumulator_value=0.5,
                                            l1_regularization_strength=0.05, l2_regularization_strength=0.1,
                                            l2_shrinkage_regularization_strength=0.02, beta=0.3)),
        ("adafactor", lambda: O.Adafactor(0.05)),
        ("adafactor_default", lambda: O.Adafactor()),
        ("adafactor_options", lambda: O.Adafactor(0.5, beta_2_decay=-0.5, epsilon_1=1e-20, epsilon_2=1e-2,
                                                  clip_threshold=0.5, relative_step=False)),
        # Schedules drive the learning rate (evaluated at `iteration` before each step).
        ("sgd_exponential", lambda: O.SGD(S.ExponentialDecay(0.1, 2, 0.5), momentum=0.9)),
        ("adam_cosine_warmup", lambda: O.Adam(S.CosineDecay(0.0, 4, warmup_target=0.05, warmup_steps=2))),
        ("adafactor_piecewise", lambda: O.Adafactor(S.PiecewiseConstantDecay([2, 4], [0.5, 0.2, 0.05]))),
        ("nadam_polynomial", lambda: O.Nadam(S.PolynomialDecay(0.05, 4, power=2.0))),
        # Exponential moving averages of the weights.
        ("adam_ema", lambda: O.Adam(0.05, use_ema=True)),
        ("sgd_ema_overwrite", lambda: O.SGD(0.1, momentum=0.5, use_ema=True, ema_momentum=0.8,
                                            ema_overwrite_frequency=2)),
        ("lion_ema_overwrite_weight_decay", lambda: O.Lion(0.02, use_ema=True, ema_momentum=0.5,
                                                           ema_overwrite_frequency=3, weight_decay=0.1)),
        # Gradient accumulation.
        ("sgd_accumulate", lambda: O.SGD(0.1, gradient_accumulation_steps=2)),
        ("adam_accumulate", lambda: O.Adam(0.05, gradient_accumulation_steps=3)),
        ("nadam_accumulate_clipnorm_schedule", lambda: O.Nadam(S.InverseTimeDecay(0.05, 1, 0.5), clipnorm=0.5,
                                                                gradient_accumulation_steps=2)),
        ("rmsprop_accumulate_weight_decay", lambda: O.RMSprop(0.01, momentum=0.5, weight_decay=0.2,
                                                              gradient_accumulation_steps=2)),
        ("adam_accumulate_ema", lambda: O.Adam(0.05, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=2,
                                               gradient_accumulation_steps=2)),
    ]


def flat(x):
    return [float(v) for v in np.asarray(x, dtype=np.float32).reshape(-1)]


def make_variables(initial):
    variables = []
    for path, value in initial.items():
        scope, vname = path.split("/")
        with keras.name_scope(scope):
            variables.append(keras.Variable(value.copy(), name=vname, dtype="float32"))
    assert [v.path for v in variables] == list(SHAPES), [v.path for v in variables]
    return variables


def own_variables(opt):
    return [v for v in opt.variables if v.name not in ("iteration", "learning_rate")]


def run_case(name, factory, initial, grads):
    keras.backend.clear_session()  # default names come out unsuffixed ("adam", not "adam_3")
    opt = factory()
    variables = make_variables(initial)
    steps = []
    for step in range(STEPS):
        used_lr = float(np.asarray(opt.learning_rate))
        opt.apply([grads[step][p] for p in SHAPES], variables)
        steps.append({
            "learning_rate": used_lr,
            "iteration": int(np.asarray(opt._iterations)),
            "iterations": int(np.asarray(opt.iterations)),
            "values": [flat(v.numpy()) for v in variables],
            "slots": [flat(v.numpy()) for v in own_variables(opt)],
        })
    out = {
        "name": name,
        "class_name": opt.__class__.__name__,
        "config": opt.get_config(),
        "serialized": keras.optimizers.serialize(opt),
        "variable_paths": [v.path for v in opt.variables],
        "variable_dtypes": [str(v.dtype) for v in opt.variables],
        "slot_paths": [v.path for v in own_variables(opt)],
        "slot_shapes": [list(v.shape) for v in own_variables(opt)],
        "learning_rate_after": float(np.asarray(opt.learning_rate)),
        "steps": steps,
    }
    if opt.use_ema:
        opt.finalize_variable_values(variables)
        out["finalized"] = [flat(v.numpy()) for v in variables]
    return out


def errors():
    O = keras.optimizers
    out = {}
    opt = O.Adam(S.ExponentialDecay(0.1, 10, 0.9))
    try:
        opt.learning_rate = 0.01
    except TypeError as e:
        out["set_learning_rate_on_schedule"] = str(e)
    for key, make in [("gradient_accumulation_steps", lambda: O.SGD(gradient_accumulation_steps=1)),
                      ("ema_momentum", lambda: O.SGD(use_ema=True, ema_momentum=1.5)),
                      ("ema_overwrite_frequency", lambda: O.SGD(use_ema=True, ema_overwrite_frequency=0)),
                      ("decay_steps", lambda: S.ExponentialDecay(0.1, 0, 0.9)),
                      ("first_decay_steps", lambda: S.CosineDecayRestarts(0.1, 0)),
                      ("boundaries", lambda: S.PiecewiseConstantDecay([1, 2], [0.1, 0.2])),
                      ("lion_beta_1", lambda: O.Lion(beta_1=0.0)),
                      ("ftrl_learning_rate_power", lambda: O.Ftrl(learning_rate_power=0.5))]:
        try:
            make()
        except ValueError as e:
            out[key] = str(e)
    return out


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "optimizers_extra.json")
    initial, grads = make_data()
    doc = {
        "keras_version": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "numpy_version": np.__version__,
        "schedules": [schedule_entry(n, f) for n, f in schedules()],
        "variables": [{"path": p, "shape": list(s), "initial": flat(initial[p])} for p, s in SHAPES.items()],
        "gradients": [[flat(g[p]) for p in SHAPES] for g in grads],
        "cases": [run_case(n, f, initial, grads) for n, f in cases()],
        "errors": errors(),
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(doc['schedules'])} schedules, {len(doc['cases'])} cases, "
          f"Keras {keras.__version__} ({keras.backend.backend()} backend)")


if __name__ == "__main__":
    main()
