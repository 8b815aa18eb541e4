#!/usr/bin/env python3
"""Writes tests/golden/metric_goldens.json from real Keras 3: every metric Strata has, run on
fixed data batch by batch, with and without sample weights, reset and run again.

The C++ tests (tests/metrics/metric_keras_test.cpp) read the JSON and never run Python. To
regenerate (scripts/keras-venv makes the environment):

    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_metric_goldens.py

metric_goldens.json
  cases:   {tag, class_name, config (Keras's get_config()), batches: [{y_true, y_pred,
           sample_weight?}], results: [after each batch: a number, or a list for a metric whose
           result is a vector], reset: {batch, result} (the result after reset_state() and one
           more batch)}.
  mean:    Mean.update_state(values, sample_weight) sequences.
  names:   string identifiers and the class keras.metrics.get() makes of them.
  errors:  constructor arguments Keras refuses, with its message.
  confusion_matrix: keras.src.metrics.metrics_utils.confusion_matrix on int labels.
"""

import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras.src.metrics import metrics_utils  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
F32 = np.float32
RNG = np.random.default_rng(20261130)


def arr(values):
    return np.asarray(values, dtype=F32)


def tolist(a):
    return np.asarray(a, dtype=F32).tolist()


def value(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x.tolist()


def uniform(*shape):
    return arr(RNG.uniform(0.0, 1.0, size=shape))


def bits(*shape, p=0.5):
    return arr(RNG.uniform(size=shape) < p)


def labels(n, k):
    return arr(RNG.integers(0, k, size=n))


def onehot(lab, k):
    return arr(np.eye(k)[lab.astype(int)])


def weights(n):
    # Mixed weights: zeros, fractions and values above 1.
    return arr(RNG.choice([0.0, 0.25, 0.5, 1.0, 1.7, 3.0], size=n))


def serialize(metric):
    s = keras.saving.serialize_keras_object(metric)
    return s["class_name"], s["config"]


CASES = []


def case(tag, make, batches):
    """Runs make() on the batches unweighted and weighted; the last batch, after reset_state(),
    checks the reset."""
    for weighted in (False, True):
        metric = make()
        class_name, config = serialize(metric)
        out_batches, results = [], []
        for y_true, y_pred in batches[:-1]:
            entry = {"y_true": tolist(y_true), "y_pred": tolist(y_pred)}
            kwargs = {}
            if weighted:
                w = weights(len(y_true))
                entry["sample_weight"] = tolist(w)
                kwargs["sample_weight"] = w
            metric.update_state(y_true, y_pred, **kwargs)
            out_batches.append(entry)
            results.append(value(metric.result()))
        metric.reset_state()
        y_true, y_pred = batches[-1]
        reset = {"y_true": tolist(y_true), "y_pred": tolist(y_pred)}
        kwargs = {}
        if weighted:
            w = weights(len(y_true))
            reset["sample_weight"] = tolist(w)
            kwargs["sample_weight"] = w
        metric.update_state(y_true, y_pred, **kwargs)
        CASES.append({
            "tag": tag + (" weighted" if weighted else ""),
            "class_name": class_name,
            "config": config,
            "batches": out_batches,
            "results": results,
            "reset": {"batch": reset, "result": value(metric.result())},
        })


def binary_batches(sizes, cols=1, logits=False):
    out = []
    for n in sizes:
        y = bits(n, cols)
        p = arr(RNG.normal(0, 2.5, size=(n, cols))) if logits else uniform(n, cols)
        out.append((y, p))
    return out


def multiclass_batches(sizes, k, sparse):
    out = []
    for n in sizes:
        lab = labels(n, k)
        # Scores on a coarse grid, so rows hold ties.
        p = arr(np.round(RNG.uniform(size=(n, k)) * 8) / 8)
        out.append((lab if sparse else onehot(lab, k), p))
    return out


SIZES = [7, 12, 5, 9]

# ---- Precision and Recall --------------------------------------------------------------------
M = keras.metrics
case("precision default, (n, 1)", lambda: M.Precision(), binary_batches(SIZES))
case("precision three thresholds", lambda: M.Precision(thresholds=[0.2, 0.5, 0.8]), binary_batches(SIZES, 3))
case("precision top_k=2", lambda: M.Precision(top_k=2), [(bits(n, 4), uniform(n, 4)) for n in SIZES])
case("precision class_id=1 threshold 0.4", lambda: M.Precision(thresholds=0.4, class_id=1),
     [(bits(n, 3), uniform(n, 3)) for n in SIZES])
case("precision evenly spaced thresholds", lambda: M.Precision(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]),
     binary_batches(SIZES, 2))
case("recall default, rank 1", lambda: M.Recall(), [(bits(n), uniform(n)) for n in SIZES])
case("recall evenly spaced with ends", lambda: M.Recall(thresholds=[0.0, 0.5, 1.0]), binary_batches(SIZES, 2))
case("recall top_k=1 class_id=2", lambda: M.Recall(top_k=1, class_id=2),
     [(bits(n, 4), uniform(n, 4)) for n in SIZES])
case("recall unsorted thresholds", lambda: M.Recall(thresholds=[0.7, 0.1, 0.45]), binary_batches(SIZES, 2))

# ---- AUC -------------------------------------------------------------------------------------
case("auc roc", lambda: M.AUC(), binary_batches(SIZES))
case("auc pr interpolation", lambda: M.AUC(curve="PR"), binary_batches(SIZES))
case("auc pr majoring", lambda: M.AUC(curve="PR", summation_method="majoring"), binary_batches(SIZES))
case("auc roc minoring", lambda: M.AUC(summation_method="minoring"), binary_batches(SIZES))
case("auc prgain", lambda: M.AUC(curve="PRGAIN"), binary_batches(SIZES))
case("auc 13 thresholds from logits", lambda: M.AUC(num_thresholds=13, from_logits=True),
     binary_batches(SIZES, logits=True))
case("auc multi_label", lambda: M.AUC(multi_label=True), binary_batches(SIZES, 3))
case("auc multi_label pr num_labels", lambda: M.AUC(multi_label=True, num_labels=3, curve="PR"),
     binary_batches(SIZES, 3))
case("auc pooled columns", lambda: M.AUC(), binary_batches(SIZES, 3))
case("auc explicit thresholds", lambda: M.AUC(thresholds=[0.7, 0.1, 0.4]), binary_batches(SIZES))
case("auc explicit even thresholds", lambda: M.AUC(thresholds=[0.25, 0.5, 0.75]), binary_batches(SIZES))

# ---- top-k accuracies ------------------------------------------------------------------------
case("top_k k=2", lambda: M.TopKCategoricalAccuracy(k=2), multiclass_batches(SIZES, 5, sparse=False))
case("top_k default k on 7 classes", lambda: M.TopKCategoricalAccuracy(), multiclass_batches(SIZES, 7, False))
case("sparse top_k k=2", lambda: M.SparseTopKCategoricalAccuracy(k=2), multiclass_batches(SIZES, 5, sparse=True))
case("sparse top_k k=1 (n, 1) labels", lambda: M.SparseTopKCategoricalAccuracy(k=1),
     [(lab.reshape(-1, 1), p) for lab, p in multiclass_batches(SIZES, 4, sparse=True)])
case("sparse top_k from_sorted_ids", lambda: M.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
     [(labels(n, 6), arr(np.argsort(-RNG.uniform(size=(n, 6)), axis=1)[:, :4])) for n in SIZES])

# ---- F-scores --------------------------------------------------------------------------------
F_DATA = [(bits(n, 4, p=0.4), uniform(n, 4)) for n in SIZES]
case("f1 per class, argmax", lambda: M.F1Score(), F_DATA)
case("f1 micro 0.5", lambda: M.F1Score(average="micro", threshold=0.5), F_DATA)
case("f1 macro", lambda: M.F1Score(average="macro"), F_DATA)
case("f1 weighted 0.3", lambda: M.F1Score(average="weighted", threshold=0.3), F_DATA)
case("fbeta 2 per class 0.5", lambda: M.FBetaScore(beta=2.0, threshold=0.5), F_DATA)
case("fbeta 0.5 macro", lambda: M.FBetaScore(beta=0.5, average="macro"), F_DATA)

# ---- regression ------------------------------------------------------------------------------
REG = [(arr(RNG.normal(size=(n, 3))), arr(RNG.normal(size=(n, 3)))) for n in SIZES]
case("rmse (n, 3)", lambda: M.RootMeanSquaredError(), REG)
case("rmse rank 1", lambda: M.RootMeanSquaredError(), [(t[:, 0], p[:, 0]) for t, p in REG])
case("r2 uniform", lambda: M.R2Score(), [(t[:, :2], 0.6 * t[:, :2] + 0.4 * p[:, :2]) for t, p in REG])
case("r2 per output", lambda: M.R2Score(class_aggregation=None), [(t, 0.5 * t + 0.5 * p) for t, p in REG])
case("r2 variance weighted", lambda: M.R2Score(class_aggregation="variance_weighted_average"),
     [(t * arr([1, 3, 0.5]), t + 0.3 * p) for t, p in REG])
case("r2 adjusted", lambda: M.R2Score(num_regressors=2), [(t, 0.7 * t + 0.3 * p) for t, p in REG])
case("cosine similarity", lambda: M.CosineSimilarity(),
     [(t, np.concatenate([p[:-1], np.zeros((1, 3), F32)])) for t, p in REG])

# ---- MeanIoU ---------------------------------------------------------------------------------
case("mean iou sparse", lambda: M.MeanIoU(num_classes=3), [(labels(n, 3), labels(n, 3)) for n in SIZES])
case("mean iou scores", lambda: M.MeanIoU(num_classes=4, sparse_y_pred=False),
     [(labels(n, 4), uniform(n, 4)) for n in SIZES])
case("mean iou one-hot both", lambda: M.MeanIoU(num_classes=3, sparse_y_true=False, sparse_y_pred=False),
     [(onehot(labels(n, 3), 3), uniform(n, 3)) for n in SIZES])
case("mean iou ignore_class", lambda: M.MeanIoU(num_classes=3, ignore_class=0),
     [(labels(n, 3), labels(n, 3)) for n in SIZES])
case("mean iou out of range dropped", lambda: M.MeanIoU(num_classes=3),
     [(labels(n, 4), labels(n, 4)) for n in SIZES])
case("mean iou float32", lambda: M.MeanIoU(num_classes=3, dtype="float32"),
     [(labels(n, 3), labels(n, 3)) for n in SIZES])
case("mean iou absent class", lambda: M.MeanIoU(num_classes=5), [(labels(n, 3), labels(n, 3)) for n in SIZES])

# ---- the metrics Strata had, now weighted ----------------------------------------------------
case("binary accuracy", lambda: M.BinaryAccuracy(), binary_batches(SIZES, 2))
case("categorical accuracy", lambda: M.CategoricalAccuracy(), multiclass_batches(SIZES, 4, False))
case("sparse categorical accuracy", lambda: M.SparseCategoricalAccuracy(), multiclass_batches(SIZES, 4, True))
case("accuracy", lambda: M.Accuracy(), [(labels(n, 3), labels(n, 3)) for n in SIZES])
case("mse", lambda: M.MeanSquaredError(), REG)
case("mae", lambda: M.MeanAbsoluteError(), REG)

# ---- Mean with weights -----------------------------------------------------------------------
MEAN = []
for shape in [(6,), (5, 3)]:
    metric = M.Mean()
    values_list, weight_list, results = [], [], []
    for n in (shape[0], shape[0] + 2):
        v = arr(RNG.normal(size=(n,) + shape[1:]))
        w = weights(n)
        metric.update_state(v, sample_weight=w)
        values_list.append(tolist(v))
        weight_list.append(tolist(w))
        results.append(value(metric.result()))
    MEAN.append({"values": values_list, "sample_weight": weight_list, "results": results})

# ---- names -----------------------------------------------------------------------------------
NAMES = {}
for identifier in ["precision", "Precision", "recall", "Recall", "auc", "AUC", "top_k_categorical_accuracy",
                   "TopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy",
                   "f1_score", "F1Score", "f_beta_score", "FBetaScore", "root_mean_squared_error",
                   "RootMeanSquaredError", "r2_score", "R2Score", "cosine_similarity", "CosineSimilarity"]:
    NAMES[identifier] = type(M.get(identifier)).__name__

# ---- errors ----------------------------------------------------------------------------------
ERRORS = []


def error(class_name, kwargs, make):
    try:
        make()
    except ValueError as e:
        ERRORS.append({"class_name": class_name, "kwargs": kwargs, "message": str(e)})
        return
    raise AssertionError(f"{class_name}({kwargs}) did not raise")


error("AUC", {"num_thresholds": 1}, lambda: M.AUC(num_thresholds=1))
error("AUC", {"curve": "XY"}, lambda: M.AUC(curve="XY"))
error("AUC", {"summation_method": "trapezoid"}, lambda: M.AUC(summation_method="trapezoid"))
error("AUC", {"num_labels": 3}, lambda: M.AUC(num_labels=3))
error("Precision", {"thresholds": [0.5, 1.5]}, lambda: M.Precision(thresholds=[0.5, 1.5]))
error("Recall", {"thresholds": -0.1}, lambda: M.Recall(thresholds=-0.1))
error("FBetaScore", {"average": "samples"}, lambda: M.FBetaScore(average="samples"))
error("FBetaScore", {"beta": 0.0}, lambda: M.FBetaScore(beta=0.0))
error("FBetaScore", {"threshold": 1.5}, lambda: M.FBetaScore(threshold=1.5))
error("F1Score", {"threshold": 0.0}, lambda: M.F1Score(threshold=0.0))
error("R2Score", {"class_aggregation": "median"}, lambda: M.R2Score(class_aggregation="median"))
error("R2Score", {"num_regressors": -1}, lambda: M.R2Score(num_regressors=-1))


def update_error(class_name, kwargs, make, y_true, y_pred):
    try:
        make().update_state(y_true, y_pred)
    except ValueError as e:
        ERRORS.append({"class_name": class_name, "kwargs": kwargs, "message": str(e),
                       "y_true": tolist(y_true), "y_pred": tolist(y_pred)})
        return
    raise AssertionError(f"{class_name}({kwargs}).update_state did not raise")


update_error("R2Score", {}, lambda: M.R2Score(), uniform(3, 2, 2), uniform(3, 2, 2))
update_error("F1Score", {}, lambda: M.F1Score(), uniform(4), uniform(4))
update_error("AUC", {"multi_label": True}, lambda: M.AUC(multi_label=True), bits(2, 2, 2), uniform(2, 2, 2))
update_error("Precision", {"class_id": 1}, lambda: M.Precision(class_id=1), bits(4), uniform(4))

# ---- confusion_matrix ------------------------------------------------------------------------
CM = []
for n, k, weighted in [(10, 3, False), (12, 4, True), (5, 5, False)]:
    lab = RNG.integers(0, k, size=n)
    pred = RNG.integers(0, k, size=n)
    w = RNG.integers(0, 4, size=n) if weighted else None
    cm = metrics_utils.confusion_matrix(lab, pred, k, weights=w)
    entry = {"labels": lab.tolist(), "predictions": pred.tolist(), "num_classes": k,
             "matrix": np.asarray(cm).astype(int).tolist()}
    if weighted:
        entry["weights"] = w.tolist()
    CM.append(entry)

out = {"keras_version": keras.__version__, "cases": CASES, "mean": MEAN, "names": NAMES, "errors": ERRORS,
       "confusion_matrix": CM}
with open(os.path.join(HERE, "metric_goldens.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(CASES)} cases, {len(ERRORS)} errors")
