#!/usr/bin/env python3
"""Writes tests/golden/losses.json and tests/golden/metrics.json from real Keras 3.

The C++ tests (tests/losses/, tests/metrics/) read the JSON and never run Python. To regenerate:

    python3 -m venv /work/main/.venv-keras            # once; reuse it if it exists
    .venv-keras/bin/pip install keras numpy jax
    .venv-keras/bin/python tests/golden/make_loss_metric_goldens.py

Backend: JAX (forced below), not numpy. Keras's numpy backend computes
`binary_crossentropy(from_logits=True)` as sigmoid, then clip to [1e-7, 1 - 1e-7], then log,
so its value saturates near 16.1 for large logits; the JAX, TensorFlow and PyTorch backends
(and Strata) use the exact log-sigmoid form. Every other value here is the same on both.

losses.json
  cases:    one per loss class x from_logits x label_smoothing x reduction (x delta for Huber)
            on fixed inputs that include probabilities at and near 0 and 1, rows that do not sum
            to 1, large logits, and the rank rules (y_true (n,) with y_pred (n, 1), sparse labels
            (n,) and (n, 1), a rank-3 y_pred). Each has Keras's serialized loss
            {"class_name", "config"}, `fn_kwargs` (the arguments Keras passes to the loss
            function; Huber's delta is only there, as Keras 3's Huber.get_config() leaves it out),
            y_true, y_pred, and `result` (a number, or the per-sample array when the reduction is
            "none").
  trackers: Keras's running loss over several batches of different sizes, as fit's loss
            tracker computes it (a Mean weighted by each batch's size).
  configs:  serialized losses (and their fn_kwargs) with default and non-default arguments.

metrics.json
  cases:    one per metric: a sequence of update_state batches and the result after each.
  auto:     the metric Keras's compile makes of "accuracy"/"acc" for given shapes (its class
            and name) and its results.
  configs:  get_config() of each class.
"""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.trainers import compile_utils  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
F32 = np.float32


def arr(values):
    """float32 array; written to JSON as the exact doubles of the float32 values."""
    return np.asarray(values, dtype=F32)


def tolist(a):
    a = np.asarray(a, dtype=F32)
    return a.tolist()


def serialize(obj):
    s = keras.saving.serialize_keras_object(obj)
    out = {"class_name": s["class_name"], "config": s["config"]}
    # The arguments of the loss function: Huber's "delta" lives only here, because Keras 3's
    # Huber.get_config() leaves it out.
    if hasattr(obj, "_fn_kwargs"):
        out["fn_kwargs"] = dict(obj._fn_kwargs)
    return out


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

REG_TRUE = arr([[0.0, 1.0, -2.0], [3.5, -0.25, 0.0], [1.0, 1.0, 1.0], [-4.0, 2.0, 0.5]])
REG_PRED = arr([[0.1, 0.4, -2.0], [1.5, -0.75, 2.5], [1.0, 1.9, 0.6], [-1.0, 2.2, 0.5]])
# y_true (n,) against y_pred (n, 1): Keras expands y_true.
REG_TRUE_1D = arr([0.5, -1.0, 2.0, 0.0, 3.0])
REG_PRED_COL = arr([[0.0], [-0.2], [4.0], [0.3], [3.0]])
# Rank 3: per-sample values have shape (2, 3).
REG3_TRUE = arr(np.linspace(-1.5, 2.0, 24).reshape(2, 3, 4))
REG3_PRED = arr(np.cos(np.arange(24, dtype=np.float64)).reshape(2, 3, 4) * 1.5)

BIN_TRUE = arr([[1, 0, 1, 0], [1, 1, 0, 0], [0, 1, 0, 1], [1, 0, 0.3, 0.8]])
# Exact 0 and 1, values beyond the clip bounds (1e-8, 1 - 1e-9 rounds to 1 in f32), right at
# them (1e-7, 0.9999999) and ordinary probabilities.
BIN_PROB = arr([[1.0, 0.0, 0.9999999, 1e-7],
                [1e-8, 0.999, 2e-7, 0.5],
                [0.3, 0.7, 0.01, 0.99],
                [0.6, 0.2, 0.45, 0.8]])
BIN_LOGIT = arr([[30.0, -30.0, 5.0, -5.0],
                 [-40.0, 0.0, 2.5, 0.1],
                 [-1.0, 1.0, -3.0, 3.0],
                 [0.4, -1.4, -0.2, 1.4]])
BIN_TRUE_1D = arr([1, 0, 1, 1, 0])
BIN_PROB_COL = arr([[0.9], [0.2], [1e-8], [1.0], [0.5]])
BIN_LOGIT_COL = arr([[2.0], [-1.0], [-20.0], [25.0], [0.0]])

CAT_TRUE = arr([[0, 0, 1, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0.5, 0, 0.5, 0]])
CAT_LABELS = arr([2, 0, 4, 1])
# Rows that sum to 1, a row that does not (Keras normalises), exact zeros and a certain row.
CAT_PROB = arr([[0.1, 0.2, 0.5, 0.1, 0.1],
                [1.0, 0.0, 0.0, 0.0, 0.0],
                [0.2, 0.4, 0.6, 0.8, 1e-8],
                [0.05, 0.3, 0.25, 0.3, 0.1]])
CAT_LOGIT = arr([[1.0, 2.0, 3.0, 0.5, -1.0],
                 [50.0, -20.0, 0.0, 1.0, 2.0],
                 [-3.0, 0.0, 4.0, 1.0, -30.0],
                 [0.1, 0.2, -0.1, 0.3, 0.0]])
# Rank 3 categorical: (2, 3, 4).
CAT3_PROB = arr(np.abs(np.sin(np.arange(24, dtype=np.float64))).reshape(2, 3, 4) + 0.01)
CAT3_LABELS = arr([[0, 3, 1], [2, 2, 0]])
CAT3_TRUE = arr(np.eye(4)[CAT3_LABELS.astype(int)])

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "none"]


def loss_cases():
    L = keras.losses
    cases = []

    def add(loss, y_true, y_pred, tag):
        result = np.asarray(loss(y_true, y_pred), dtype=F32)
        cases.append({
            "tag": tag,
            **serialize(loss),
            "y_true": tolist(y_true),
            "y_pred": tolist(y_pred),
            "result": result.tolist(),
            "result_shape": list(result.shape),
        })

    for r in REDUCTIONS:
        for cls in (L.MeanSquaredError, L.MeanAbsoluteError):
            add(cls(reduction=r), REG_TRUE, REG_PRED, "2d")
            add(cls(reduction=r), REG_TRUE_1D, REG_PRED_COL, "y_true (n,) vs y_pred (n,1)")
            add(cls(reduction=r), REG_PRED_COL, REG_TRUE_1D, "y_true (n,1) vs y_pred (n,)")
            add(cls(reduction=r), REG3_TRUE, REG3_PRED, "rank 3")
        for delta in (1.0, 0.5, 2.5):
            add(L.Huber(delta=delta, reduction=r), REG_TRUE, REG_PRED, "2d")
            add(L.Huber(delta=delta, reduction=r), REG3_TRUE, REG3_PRED, "rank 3")
        add(L.Huber(reduction=r), REG_TRUE_1D, REG_PRED_COL, "y_true (n,) vs y_pred (n,1)")

        for logits in (False, True):
            pred = BIN_LOGIT if logits else BIN_PROB
            col = BIN_LOGIT_COL if logits else BIN_PROB_COL
            for s in (0.0, 0.1, 0.3):
                add(L.BinaryCrossentropy(from_logits=logits, label_smoothing=s, reduction=r),
                    BIN_TRUE, pred, "2d")
            add(L.BinaryCrossentropy(from_logits=logits, reduction=r), BIN_TRUE_1D, col,
                "y_true (n,) vs y_pred (n,1)")
            add(L.BinaryCrossentropy(from_logits=logits, label_smoothing=0.2, reduction=r),
                BIN_TRUE_1D, col, "y_true (n,) vs y_pred (n,1), smoothing")

            pred = CAT_LOGIT if logits else CAT_PROB
            for s in (0.0, 0.1, 0.3):
                add(L.CategoricalCrossentropy(from_logits=logits, label_smoothing=s, reduction=r),
                    CAT_TRUE, pred, "2d")
            add(L.CategoricalCrossentropy(from_logits=logits, reduction=r), CAT3_TRUE,
                CAT3_PROB if not logits else np.log(CAT3_PROB) * 3.0, "rank 3")

            add(L.SparseCategoricalCrossentropy(from_logits=logits, reduction=r), CAT_LABELS, pred,
                "labels (n,)")
            add(L.SparseCategoricalCrossentropy(from_logits=logits, reduction=r),
                CAT_LABELS.reshape(-1, 1), pred, "labels (n,1)")
            add(L.SparseCategoricalCrossentropy(from_logits=logits, reduction=r), CAT3_LABELS,
                CAT3_PROB if not logits else np.log(CAT3_PROB) * 3.0, "rank 3")

    # Custom names survive.
    add(L.MeanSquaredError(name="my_mse"), REG_TRUE, REG_PRED, "named")
    add(L.SparseCategoricalCrossentropy(from_logits=True, name="scce"), CAT_LABELS, CAT_LOGIT,
        "named")
    return cases


def tracker_cases():
    """fit's running loss: Mean(name="loss").update_state(loss, sample_weight=batch_size)."""
    L = keras.losses
    rng = np.random.default_rng(7)
    out = []

    def run(loss, batches):
        tracker = keras.metrics.Mean(name="loss")
        results = []
        for y_true, y_pred in batches:
            value = loss(y_true, y_pred)
            if loss.reduction in (None, "none"):  # Strata trains on the mean of "none"
                value = np.mean(np.asarray(value))
            tracker.update_state(value, sample_weight=y_pred.shape[0])
            results.append(float(tracker.result()))
        out.append({**serialize(loss),
                    "batches": [{"y_true": tolist(t), "y_pred": tolist(p)} for t, p in batches],
                    "results": results})

    sizes = (4, 3, 1, 5)
    for r in REDUCTIONS:
        run(L.MeanSquaredError(reduction=r),
            [(arr(rng.normal(size=(n, 2))), arr(rng.normal(size=(n, 2)))) for n in sizes])
        run(L.SparseCategoricalCrossentropy(from_logits=True, reduction=r),
            [(arr(rng.integers(0, 3, size=(n,))), arr(rng.normal(size=(n, 3)) * 2)) for n in sizes])
        run(L.BinaryCrossentropy(reduction=r),
            [(arr(rng.integers(0, 2, size=(n, 1))), arr(rng.uniform(0.05, 0.95, size=(n, 1))))
             for n in sizes])
    return out


def loss_configs():
    L = keras.losses
    objs = [
        L.MeanSquaredError(), L.MeanSquaredError(reduction="sum", name="sq"),
        L.MeanAbsoluteError(), L.MeanAbsoluteError(reduction="none"),
        L.Huber(), L.Huber(delta=2.5, reduction="mean", name="hub"),
        L.BinaryCrossentropy(), L.BinaryCrossentropy(from_logits=True, label_smoothing=0.1,
                                                     reduction="sum"),
        L.CategoricalCrossentropy(), L.CategoricalCrossentropy(from_logits=True,
                                                               label_smoothing=0.25, name="cce"),
        L.SparseCategoricalCrossentropy(), L.SparseCategoricalCrossentropy(from_logits=True,
                                                                           reduction=None),
    ]
    out = []
    for o in objs:
        s = keras.saving.serialize_keras_object(o)
        s["fn_kwargs"] = dict(o._fn_kwargs)
        out.append(s)
    return out


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------

def metric_cases():
    M = keras.metrics
    rng = np.random.default_rng(11)
    cases = []

    def run(metric, batches, tag):
        results = []
        for y_true, y_pred in batches:
            metric.update_state(y_true, y_pred)
            results.append(float(metric.result()))
        cases.append({"tag": tag, **serialize(metric),
                      "batches": [{"y_true": tolist(t), "y_pred": tolist(p)} for t, p in batches],
                      "results": results})

    def binary_batches(n_list, col_true):
        batches = []
        for n in n_list:
            t = rng.integers(0, 2, size=(n, 1) if col_true else (n,))
            p = rng.uniform(0, 1, size=(n, 1))
            p[0, 0] = 0.5  # exactly on the default threshold: not > 0.5, so predicts 0
            batches.append((arr(t), arr(p)))
        return batches

    run(M.BinaryAccuracy(), binary_batches((5, 3, 8), True), "y_true (n,1)")
    run(M.BinaryAccuracy(), binary_batches((5, 3, 8), False), "y_true (n,)")
    run(M.BinaryAccuracy(threshold=0.7), binary_batches((6, 4), True), "threshold 0.7")
    run(M.BinaryAccuracy(), [(arr(rng.integers(0, 2, size=(4, 3))), arr(rng.uniform(size=(4, 3))))
                             for _ in range(2)], "multi-label (n,3)")
    run(M.BinaryAccuracy(), [(arr([1, 0, 1, 1]), arr([0.9, 0.1, 0.2, 0.6])),
                             (arr([0, 0]), arr([0.7, 0.3]))], "rank 1: each element is a sample")

    def cat_batches(n_list, k=4):
        out = []
        for n in n_list:
            labels = rng.integers(0, k, size=(n,))
            p = rng.uniform(size=(n, k))
            out.append((labels, arr(p)))
        return out

    cb = cat_batches((5, 2, 7))
    # A tie: argmax takes the first of equal maxima.
    cb[0][1][0] = [0.4, 0.4, 0.1, 0.1]
    cb[0] = (np.array([1] + list(cb[0][0][1:])), cb[0][1])
    run(M.CategoricalAccuracy(), [(arr(np.eye(4)[l]), p) for l, p in cb], "one-hot")
    run(M.SparseCategoricalAccuracy(), [(arr(l), p) for l, p in cb], "labels (n,)")
    run(M.SparseCategoricalAccuracy(), [(arr(l).reshape(-1, 1), p) for l, p in cb],
        "labels (n,1)")
    l3 = rng.integers(0, 4, size=(2, 3))
    p3 = arr(rng.uniform(size=(2, 3, 4)))
    run(M.SparseCategoricalAccuracy(), [(arr(l3), p3)], "rank 3")
    run(M.CategoricalAccuracy(), [(arr(np.eye(4)[l3]), p3)], "rank 3")

    acc_batches = [(arr([[1, 2], [3, 4], [0, 0]]), arr([[1, 2], [3, 5], [1, 0]])),
                   (arr([[7, 7]]), arr([[7, 7]]))]
    run(M.Accuracy(), acc_batches, "2d")
    run(M.Accuracy(), [(arr([1, 2, 3]), arr([[1], [0], [3]]))], "y_true (n,) vs y_pred (n,1)")

    for cls in (M.MeanSquaredError, M.MeanAbsoluteError):
        run(cls(), [(REG_TRUE, REG_PRED), (REG_TRUE[:2] * 2, REG_PRED[:2])], "2d")
        run(cls(), [(REG_TRUE_1D, REG_PRED_COL)], "y_true (n,) vs y_pred (n,1)")
        run(cls(), [(REG3_TRUE, REG3_PRED)], "rank 3")
        run(cls(), [(REG_TRUE_1D, REG_PRED_COL[:, 0]), (REG_TRUE_1D[:3], REG_PRED_COL[:3, 0])],
            "rank 1: one sample per batch")
    run(M.Accuracy(), [(arr([1, 2, 3]), arr([1, 0, 3])), (arr([4]), arr([4]))],
        "rank 1: each element is a sample")
    run(M.SparseCategoricalAccuracy(), [(arr(2), arr([0.1, 0.2, 0.7])), (arr(0), arr([0.1, 0.2, 0.7]))],
        "rank 1: one sample per batch")
    return cases


def mean_cases():
    M = keras.metrics
    out = []
    batches = [arr([1.0, 2.0, 3.0]), arr([[4.0, 5.0], [6.0, 7.0]]), arr(10.0)]
    m = M.Mean()
    results = []
    for b in batches:
        m.update_state(b)
        results.append(float(m.result()))
    out.append({**serialize(m), "values": [tolist(b) for b in batches], "results": results})
    return out


def auto_accuracy_cases():
    rng = np.random.default_rng(5)
    out = []
    shapes = [
        ("binary, y_true (n,1)", (6, 1), (6, 1)),
        ("binary, y_true (n,)", (6,), (6, 1)),
        ("sparse, y_true (n,)", (6,), (6, 4)),
        ("sparse, y_true (n,1)", (6, 1), (6, 4)),
        ("categorical", (6, 4), (6, 4)),
    ]
    for identifier in ("accuracy", "acc"):
        for tag, t_shape, p_shape in shapes:
            p = arr(rng.uniform(size=p_shape))
            if p_shape[-1] == 1:
                t = arr(rng.integers(0, 2, size=t_shape))
            elif len(t_shape) == len(p_shape) and t_shape[-1] == p_shape[-1]:
                t = arr(np.eye(p_shape[-1])[rng.integers(0, p_shape[-1], size=t_shape[0])])
            else:
                t = arr(rng.integers(0, p_shape[-1], size=t_shape))
            metric = compile_utils.get_metric(identifier, t, p)
            metric.update_state(t, p)
            out.append({"tag": tag, "identifier": identifier,
                        "class_name": type(metric).__name__, "name": metric.name,
                        "y_true": tolist(t), "y_pred": tolist(p),
                        "result": float(metric.result())})
    return out


def metric_configs():
    M = keras.metrics
    objs = [M.Mean(), M.Mean(name="loss"), M.Accuracy(), M.BinaryAccuracy(),
            M.BinaryAccuracy(name="bin", threshold=0.7), M.CategoricalAccuracy(),
            M.SparseCategoricalAccuracy(), M.MeanSquaredError(), M.MeanAbsoluteError(name="l1")]
    return [keras.saving.serialize_keras_object(o) for o in objs]


def main():
    header = {"keras_version": keras.__version__, "keras_backend": keras.backend.backend(),
              "numpy_version": np.__version__}
    losses = {**header, "cases": loss_cases(), "trackers": tracker_cases(),
              "configs": loss_configs()}
    metrics = {**header, "cases": metric_cases(), "mean": mean_cases(),
               "auto": auto_accuracy_cases(), "configs": metric_configs()}
    for name, data in (("losses.json", losses), ("metrics.json", metrics)):
        path = os.path.join(HERE, name)
        with open(path, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
