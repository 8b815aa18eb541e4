#!/usr/bin/env python3
"""Reads the event files strata_write_event_files wrote with TensorBoard's own reader and checks
them against the values the program recorded (<out>/expected.json).

    .venv-keras/bin/python tests/tensorboard/check_event_files.py <out>

The reader is tensorboard.backend.event_processing.plugin_event_accumulator, the one the
TensorBoard server loads runs with (record CRCs checked, summaries assigned to plugins by their
metadata). Checked: each run's plugins and tags, steps and values of the epoch scalars
(val_ keys on the validation run), the batch scalars (every batch, global 1-based steps), the
evaluation scalars, the weight histograms (every epoch; the last equal to TensorBoard's own
bucketing of the final weights), and the Keras model JSON that the graph plugin turns into a
graph. Exits non-zero with a message on the first difference.
"""

import json
import os
import sys

import numpy as np
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.plugins.graph import keras_util
from tensorboard.plugins.histogram import summary_v2 as histogram_summary
from tensorboard.util import tensor_util

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def load(run_dir):
    acc = plugin_event_accumulator.EventAccumulator(run_dir, size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def series(acc, tag):
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def check_scalars(acc, tag, expected_by_step, run):
    got = series(acc, tag)
    check([s for s, _ in got] == sorted(expected_by_step), f"{run}/{tag}: steps {[s for s, _ in got]}, "
          f"expected {sorted(expected_by_step)}")
    for step, value in got:
        want = np.float32(expected_by_step.get(step, np.nan))
        check(value.shape == () and value.dtype == np.float32 and value == want,
              f"{run}/{tag} step {step}: {value!r}, expected float32 {want!r}")


def main(out):
    with open(os.path.join(out, "expected.json")) as f:
        expected = json.load(f)
    history = expected["history"]["history"]
    epochs = expected["history"]["epoch"]
    train = load(os.path.join(out, "logs", "train"))
    validation = load(os.path.join(out, "logs", "validation"))

    train_keys = sorted(k for k in history if not k.startswith("val_"))
    val_keys = sorted(k[4:] for k in history if k.startswith("val_"))
    scalar_tags = set(train.PluginTagToContent("scalars"))
    want_tags = {f"epoch_{k}" for k in train_keys} | {"epoch_learning_rate"}
    want_tags |= {f"batch_{k}" for k in next(iter(expected["batches"].values()))}
    check(scalar_tags == want_tags, f"train scalar tags {sorted(scalar_tags)}, expected {sorted(want_tags)}")
    for key in train_keys:
        check_scalars(train, f"epoch_{key}", dict(zip(epochs, history[key])), "train")
    check_scalars(train, "epoch_learning_rate", {e: expected["learning_rate"] for e in epochs}, "train")
    for key in next(iter(expected["batches"].values())):
        check_scalars(train, f"batch_{key}", {int(s): logs[key] for s, logs in expected["batches"].items()}, "train")

    val_tags = set(validation.PluginTagToContent("scalars"))
    want_val = {f"epoch_{k}" for k in val_keys} | {f"evaluation_{k}_vs_iterations" for k in val_keys}
    check(val_tags == want_val, f"validation scalar tags {sorted(val_tags)}, expected {sorted(want_val)}")
    for key in val_keys:
        check_scalars(validation, f"epoch_{key}", dict(zip(epochs, history["val_" + key])), "validation")
        steps = [(e + 1) * expected["steps_per_epoch"] for e in epochs]
        check_scalars(validation, f"evaluation_{key}_vs_iterations", dict(zip(steps, history["val_" + key])),
                      "validation")

    histogram_tags = set(train.PluginTagToContent("histograms"))
    want_histograms = {f"{path}/histogram" for path in expected["weights"]}
    check(histogram_tags == want_histograms, f"histogram tags {sorted(histogram_tags)}, expected {sorted(want_histograms)}")
    for path, values in expected["weights"].items():
        got = series(train, f"{path}/histogram")
        check([s for s, _ in got] == epochs, f"{path}/histogram steps {[s for s, _ in got]}")
        for step, buckets in got:
            check(buckets.shape == (30, 3) and buckets.dtype == np.float64 and buckets[:, 2].sum() == len(values),
                  f"{path}/histogram step {step}: shape {buckets.shape}, counts {buckets[:, 2].sum()}")
        reference = histogram_summary.histogram_pb("h", np.array(values, dtype=np.float32))
        want = tensor_util.make_ndarray(reference.value[0].tensor)
        check(np.array_equal(got[-1][1], want), f"{path}/histogram at the last epoch differs from TensorBoard's "
              f"bucketing of the final weights:\n{got[-1][1]}\n{want}")

    check(set(train.PluginTagToContent("graph_keras_model")) == {"keras"}, "no 'keras' graph summary")
    graph = series(train, "keras")
    check(len(graph) == 1 and graph[0][0] == 0, "the keras graph summary is not one value at step 0")
    model_json = graph[0][1].item().decode()
    check(json.loads(model_json) == json.loads(expected["model_json"]), "the keras graph JSON is not the model's")
    graph_def = keras_util.keras_model_to_graph_def(json.loads(model_json))
    nodes = [n.name for n in graph_def.node]
    check(any(n.endswith("hidden") for n in nodes) and any(n.endswith("classes") for n in nodes),
          f"TensorBoard's graph of the model lacks its layers: {nodes}")

    if failures:
        print(f"{len(failures)} difference(s)")
        sys.exit(1)
    n_scalars = sum(len(train.Tensors(t)) for t in scalar_tags) + sum(len(validation.Tensors(t)) for t in val_tags)
    print(f"TensorBoard read Strata's event files: {n_scalars} scalars, "
          f"{sum(len(train.Tensors(t)) for t in histogram_tags)} histograms and the model graph "
          f"({len(nodes)} nodes), all as expected")


if __name__ == "__main__":
    main(sys.argv[1])
