#!/usr/bin/env python3
"""Writes tests/golden/saving/: small models saved by real Keras 3 (JAX backend) in every file
format Strata reads, with what Keras predicted and how it went on training after the save.

The C++ tests load these files and never run Python. To regenerate (one shared venv):

    scripts/keras-venv
    KERAS_BACKEND=jax nice .venv-keras/bin/python tests/golden/make_saving_goldens.py

Per case <name> (the list is CASES below) it writes:
  <name>.keras         model.save(): the zip archive with metadata.json, config.json (with the
                       compile_config) and model.weights.h5 (with the optimizer's variables)
  <name>.weights.h5    model.save_weights() (Keras 3.15 writes the same tree as the archive's
                       model.weights.h5, optimizer/vars included)
  <name>.h5            model.save("x.h5"): the legacy Keras 2 format, which Keras 3 still writes
  <name>.keras2.json   for seq_cnn and func_shared only: Keras 3's to_json() rewritten the way
                       Keras 2 wrote it (to_keras2_json; keras.md §4.4)
and cases.json. Arrays are {"shape": [...], "data": [flat row-major float32 values]} (each value
the shortest decimal that reads back as the same float32); where a model has several inputs or
outputs, a list of such arrays in model order. cases.json:
  {"keras_version", "backend", "generator", "array_format", "notes": [Keras quirks met here],
   "cases": [{
     "name":    the file stem,
     "kind":    "sequential" | "functional" | "nested" | "subclassed",
     "layers":  class names in the model, nested models' included, in order of first use,
     "files":   {"keras", "weights_h5", "legacy_h5" (null when Keras refused to write it),
                 "legacy_h5_refused" (Keras's error, else null), "legacy_h5_keras_loads" (false:
                 Keras wrote it but cannot read it back), "keras2_json" (file or null)},
     "compile": the arguments given to compile(): strings, or serialized Keras objects,
     "inputs", "predictions": model.predict(inputs) in inference mode, at save time,
     "weight_paths":    [variable.path for model.weights], at save time,
     "weights_at_save": model.get_weights() at save time (that order),
     "optimizer_variables_at_save": [{"path", "shape", "dtype"}] of model.optimizer.variables,
     "train": null (a model with Dropout: not trained, compiled only) or {
         "steps_before_save": 2 (train_on_batch steps before the save; their batches are not kept),
         "optimizer_iterations_at_save": 2,
         "batches": [{"x", "y"}] x 3: the train_on_batch steps run after the save,
         "logs": [{"loss", ...}] x 3: what train_on_batch(return_dict=True) returned per step
                 (metrics reset per batch: "reset_metrics": true),
         "reset_metrics": true,
         "weights_after": model.get_weights() after the 3 steps},
     "layout": {"keras_zip_entries": [{"name", "compress_type", "size"}],
                "keras_model_weights_h5": [{"path", "type": "group"|"dataset", "shape", "dtype",
                                            "attrs"}] in h5py's (name-sorted) order, "/" first,
                "weights_h5": the same list, or "same as keras_model_weights_h5",
                "legacy_h5": the same list for <name>.h5 (JSON attributes abbreviated) or null},
     "checks":  what this script verified by loading the files back with Keras (text)}]}

The script checks itself: it reloads every file with Keras and asserts that the predictions
match, and that the model loaded from <name>.keras, trained on the same 3 batches, ends with
the recorded weights (so the optimizer state really is in the file).
"""

import io
import json
import os
import shutil
import sys
import tempfile
import warnings
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_default_matmul_precision", "highest")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "saving")

STEPS_BEFORE_SAVE = 2
STEPS_AFTER_SAVE = 3
TRAIN_BATCH = 4
PREDICT_BATCH = 3

# Every layer class Strata has (include/strata/layers/); the cases must use each of them.
STRATA_LAYERS = [
    "InputLayer", "Dense", "Activation", "Flatten", "Reshape", "Dropout",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
    "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "BatchNormalization", "LayerNormalization",
    "SpatialDropout2D", "ZeroPadding2D", "Cropping2D", "UpSampling2D", "Rescaling",
    "ReLU", "LeakyReLU", "Softmax",
]


# ---- the subclassed model -----------------------------------------------------------------

@keras.saving.register_keras_serializable(package="strata_test")
class TwoLayerNet(keras.Model):
    """Two Dense layers held as attributes (`hidden`, `out`); call = out(hidden(x))."""

    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = L.Dense(units, activation="relu")
        self.out = L.Dense(2)

    def call(self, x):
        return self.out(self.hidden(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


# ---- the models -----------------------------------------------------------------------------
# Each builder returns a fresh, unbuilt-or-built model; names are fixed so configs and paths are
# reproducible. Only constructor arguments Strata's from_config reads are used.

def seq_cnn():
    # keras.md §4.2's Fashion-MNIST CNN, shrunk.
    return keras.Sequential([
        keras.Input((6, 6, 2)),
        L.Conv2D(4, 3, activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dense(3, activation="softmax"),
    ], name="seq_cnn")


def func_shared():
    # Two inputs, one Dense called on both (its nodes 0 and 1), merges, two outputs.
    a = keras.Input((5,), name="a")
    b = keras.Input((5,), name="b")
    shared = L.Dense(6, activation="tanh", name="shared")
    ha = shared(a)
    hb = shared(b)
    s = L.Add(name="add")([ha, hb])
    m = L.Multiply(name="multiply")([ha, hb])
    c = L.Concatenate(name="concatenate")([s, m, b])
    h = L.Dense(6, activation="relu", name="trunk")(c)
    cls = L.Dense(3, activation="softmax", name="cls")(h)
    reg = L.Dense(1, name="reg")(L.Concatenate(axis=-1, name="concat_reg")([h, hb]))
    return keras.Model([a, b], [cls, reg], name="func_shared")


def func_merges():
    # The other merges: Subtract, Average, Maximum, Minimum, Dot; a Reshape and an Activation.
    x = keras.Input((6,), name="x")
    y = keras.Input((6,), name="y")
    p = L.Dense(4, name="p")(x)
    q = L.Dense(4, use_bias=False, name="q")(y)
    d = L.Subtract(name="subtract")([p, q])
    av = L.Average(name="average")([p, q, d])
    mx = L.Maximum(name="maximum")([p, q])
    mn = L.Minimum(name="minimum")([p, q])
    dot = L.Dot(axes=1, name="dot")([mx, mn])
    pairs = L.Reshape((2, 2), name="reshape")(av)
    dot3 = L.Dot(axes=(2, 2), name="dot_pairs")([pairs, pairs])  # (2, 2) Gram matrix
    flat = L.Flatten(name="flatten")(dot3)
    act = L.Activation("sigmoid", name="activation")(L.Concatenate(name="concatenate")([d, dot, flat]))
    out = L.Dense(2, name="out")(act)
    return keras.Model([x, y], out, name="func_merges")


def nested_seq_in_func():
    # A Sequential (with an Input) used as a layer, called on two inputs (its nodes 1 and 2).
    block = keras.Sequential([
        keras.Input((4,)),
        L.Dense(5, activation="relu"),
        L.LayerNormalization(epsilon=1e-4),
        L.Dense(3),
    ], name="block")
    u = keras.Input((4,), name="u")
    v = keras.Input((4,), name="v")
    h = L.Concatenate(name="concatenate")([block(u), block(v)])
    out = L.Dense(2, name="head")(h)
    return keras.Model([u, v], out, name="nested_seq_in_func")


def nested_func_in_seq():
    # A Functional model used as a layer of a Sequential one.
    i = keras.Input((6,), name="inner_in")
    h = L.Dense(5, activation="elu", name="inner_dense")(i)
    h = L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.05, name="inner_relu")(h)
    inner = keras.Model(i, L.Dense(4, name="inner_out")(h), name="inner")
    return keras.Sequential([
        keras.Input((6,)),
        inner,
        L.Dense(1, activation="sigmoid"),
    ], name="nested_func_in_seq")


def subclassed():
    return TwoLayerNet(units=8, name="two_layer_net")


def conv2d_a():
    return keras.Sequential([
        keras.Input((7, 7, 2)),
        L.Rescaling(scale=0.5, offset=0.25),
        L.ZeroPadding2D(((1, 0), (0, 2))),
        L.Conv2D(3, 3, strides=2, padding="same", use_bias=False),
        L.LeakyReLU(negative_slope=0.1),
        L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu"),
        L.SeparableConv2D(4, 2, dilation_rate=2, padding="same", depth_multiplier=2, activation="tanh"),
        L.AveragePooling2D(2, strides=1, padding="same"),
        L.GlobalAveragePooling2D(),
        L.Dense(2),
    ], name="conv2d_a")


def conv2d_b():
    # The convolutions have activations: with a purely linear chain into BatchNormalization,
    # their biases would have a gradient of exactly zero, and the rounding noise that stands in
    # for it (amplified by centered RMSprop) is not something two programs can agree on.
    return keras.Sequential([
        keras.Input((4, 4, 2)),
        L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1, activation="relu"),
        L.Cropping2D(((1, 2), (0, 1))),
        L.Conv2D(4, (2, 3), dilation_rate=(2, 1), activation="tanh"),
        L.UpSampling2D((1, 2)),
        L.MaxPooling2D((2, 2), strides=(2, 1), padding="same"),
        L.BatchNormalization(momentum=0.9, epsilon=1e-2, center=False),
        L.GlobalMaxPooling2D(),
        L.Dense(3),
        L.Softmax(),
    ], name="conv2d_b")


def conv1d():
    return keras.Sequential([
        keras.Input((12, 3)),
        L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"),
        L.MaxPooling1D(2),
        L.Conv1D(4, 2, strides=2, groups=2, padding="same"),
        L.AveragePooling1D(2, strides=1, padding="same"),
        L.GlobalAveragePooling1D(),
        L.Dense(1),
    ], name="conv1d")


def conv1d_reshape():
    return keras.Sequential([
        keras.Input((16,)),
        L.Reshape((8, 2)),
        L.Conv1D(3, 3, padding="same", use_bias=False, activation="gelu"),
        L.AveragePooling1D(3, strides=2),
        L.Flatten(),
        L.Dense(2, activation="softplus"),
    ], name="conv1d_reshape")


def dropout_predict_only():
    # Dropout and SpatialDropout2D: their training masks are drawn differently in Strata, so no
    # training steps are recorded; the model is compiled (an unbuilt optimizer in the file).
    return keras.Sequential([
        keras.Input((5, 5, 2)),
        L.SpatialDropout2D(0.25, seed=3),
        L.Conv2D(3, 2, activation="selu"),
        L.Flatten(),
        L.Dropout(0.3, seed=5),
        L.Dense(4, activation="swish"),
        L.Dense(2),
    ], name="dropout_predict_only")


O = keras.optimizers
LS = keras.losses

# name, kind, builder, compile kwargs (a function: each compile needs fresh objects), what the
# labels are per output (("sparse", classes) / ("onehot", classes) / ("binary",) / ("real",)),
# train (False: predict only), keras2_json.
CASES = [
    ("seq_cnn", "sequential", seq_cnn,
     lambda: dict(optimizer=O.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"]),
     [("sparse", 3)], True, True),
    ("func_shared", "functional", func_shared,
     lambda: dict(optimizer=O.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
                  loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["categorical_accuracy"], ["mae"]]),
     [("onehot", 3), ("real",)], True, True),
    ("func_merges", "functional", func_merges,
     lambda: dict(optimizer=O.Adagrad(learning_rate=0.1, clipvalue=0.5), loss="mae", metrics=["mse"]),
     [("real",)], True, False),
    ("nested_seq_in_func", "nested", nested_seq_in_func,
     lambda: dict(optimizer=O.RMSprop(learning_rate=0.01, momentum=0.5), loss=LS.Huber(),  # not delta=0.5: Huber.get_config drops delta
                  metrics=["mae"]),
     [("real",)], True, False),
    ("nested_func_in_seq", "nested", nested_func_in_seq,
     lambda: dict(optimizer=O.AdamW(learning_rate=0.02, weight_decay=0.05, global_clipnorm=1.0),
                  loss="binary_crossentropy", metrics=["binary_accuracy"]),
     [("binary",)], True, False),
    ("subclassed", "subclassed", subclassed,
     lambda: dict(optimizer=O.SGD(learning_rate=0.05, momentum=0.9), loss="mse", metrics=["mae"]),
     [("real",)], True, False),
    ("conv2d_a", "sequential", conv2d_a,
     lambda: dict(optimizer=O.Adam(learning_rate=0.01, amsgrad=True, clipnorm=1.0), loss="mse"),
     [("real",)], True, False),
    ("conv2d_b", "sequential", conv2d_b,
     lambda: dict(optimizer=O.RMSprop(learning_rate=0.01, centered=True),
                  loss=LS.CategoricalCrossentropy(label_smoothing=0.1),
                  metrics=["categorical_accuracy"]),
     [("onehot", 3)], True, False),
    ("conv1d", "sequential", conv1d,
     lambda: dict(optimizer=O.SGD(learning_rate=0.1), loss=LS.BinaryCrossentropy(from_logits=True),
                  metrics=["binary_accuracy"]),
     [("binary",)], True, False),
    ("conv1d_reshape", "sequential", conv1d_reshape,
     lambda: dict(optimizer=O.Adagrad(learning_rate=0.05, initial_accumulator_value=0.2),
                  loss=LS.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]),
     [("sparse", 2)], True, False),
    ("dropout_predict_only", "sequential", dropout_predict_only,
     lambda: dict(optimizer=O.Adam(), loss="mse"),
     [("real",)], False, False),
]


# What Keras 3.15.1 did here that a reader of these files should know (each one seen in this
# script's own runs; written into cases.json).
NOTES = [
    "Huber.get_config() drops delta: a model compiled with Huber(delta=0.5) reloads from .keras with "
    "delta 1.0, so nested_seq_in_func uses the default Huber().",
    "save_weights() writes the same tree as the .keras archive's model.weights.h5, optimizer/vars "
    "included.",
    "Optimizer variables: iteration (int32, shape ()) and learning_rate (float32) first, then the slots: "
    "Adam/AdamW momentum and velocity interleaved per variable, then (amsgrad) every velocity_hat; "
    "RMSprop every velocity, then every momentum (momentum > 0) or every average_gradient (centered); "
    "SGD with momentum one momentum per variable; Adagrad one accumulator per variable; plain SGD none.",
    "A subclassed model's .keras layout follows sorted attribute names with the model's `layers` list "
    "among them: `hidden` (sorts before 'layers') is saved at hidden/vars, `out` (after) at "
    "layers/dense_1/vars (the container's name counter counted the already saved Dense).",
    "A subclassed model built by its first train_on_batch saves build_config {'input_shape': [4, 4]}: "
    "the batch size, not null.",
    "A Sequential called twice inside a Functional model has inbound nodes 0 and 1, each with call "
    "kwargs {'mask': null}.",
    "Variable paths: a Sequential's carry its name (seq_cnn/conv2d/kernel), a Functional's do not "
    "(inner_dense/kernel); the legacy .h5 stores each weight at model_weights/<layer>/<variable.path>.",
    "Legacy .h5: Keras cannot load a compiled file whose loss or metric is a function name such as "
    "'mse' or 'mae' (\"Could not deserialize 'keras.metrics.mse'\"); those load with compile=False.",
    "Legacy .h5: loading restores optimizer.iterations but not the slot variables (the optimizer is "
    "built on no variables), and train_on_batch on the loaded model then fails under JAX.",
    "Legacy .h5 of the subclassed model: Keras writes it but cannot read it back ('Unknown layer: "
    "TwoLayerNet'; with custom_objects: 'Layer count mismatch ... expected 0 layers, found 2').",
    "keras.models.model_from_json refuses the Keras 2 JSON (no 'module' keys: 'Could not locate class'); "
    "Keras 3 reads it through its legacy loader, as the model_config of a .h5 file.",
    "A model compiled but never trained saves an optimizer with only iteration and learning_rate; "
    "load_model builds the full optimizer and warns that it skipped loading the saved one.",
]


# ---- JSON helpers ---------------------------------------------------------------------------

def short_float(v):
    """The float32 value v as the shortest decimal that reads back as the same float32 (so the
    JSON stays small); checked here, since readers go through a double."""
    v = np.float32(v)
    out = float(str(v))
    assert np.float32(out) == v or (np.isnan(v) and np.isnan(out)), v
    return out


def array_json(a):
    a = np.asarray(keras.ops.convert_to_numpy(a)).astype(np.float32)
    return {"shape": list(a.shape), "data": [short_float(v) for v in a.reshape(-1)]}


def arrays_json(a):
    """One array, or a list of them for several inputs or outputs."""
    if isinstance(a, (list, tuple)):
        return [array_json(v) for v in a]
    return array_json(a)


def attr_json(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, str):
        if len(value) > 200 and value.lstrip().startswith("{"):
            return f"<JSON text, {len(value)} characters>"
        return value
    if isinstance(value, np.ndarray):
        return [attr_json(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [attr_json(v) for v in value]
    return value


def h5_layout(f):
    """Every group and dataset under f in h5py's (name-sorted) order, with attributes."""
    entries = []

    def entry(name, obj):
        e = {"path": name}
        if isinstance(obj, h5py.Dataset):
            e.update(type="dataset", shape=list(obj.shape), dtype=str(obj.dtype))
        else:
            e["type"] = "group"
        if len(obj.attrs):
            e["attrs"] = {k: attr_json(v) for k, v in obj.attrs.items()}
        entries.append(e)

    entry("/", f)
    f.visititems(entry)
    return entries


def keras_archive_layout(path):
    with zipfile.ZipFile(path) as z:
        zip_entries = [{"name": i.filename, "compress_type": i.compress_type, "size": i.file_size}
                       for i in z.infolist()]
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            weights = h5_layout(f)
    return zip_entries, weights


def layer_classes(model):
    seen = []

    def add(name):
        if name not in seen:
            seen.append(name)

    def walk(config):
        for layer in config.get("layers", []):
            add(layer["class_name"])
            walk(layer["config"])

    walk(model.get_config())
    if not seen:  # a subclassed model: its config does not list layers
        for layer in model._flatten_layers(include_self=False, recursive=True):
            add(type(layer).__name__)
    return seen


def describe_compile(kwargs):
    def name(obj):
        if isinstance(obj, (str, int, float)) or obj is None:
            return obj
        if isinstance(obj, (list, tuple)):
            return [name(o) for o in obj]
        if isinstance(obj, dict):
            return {k: name(v) for k, v in obj.items()}
        return keras.saving.serialize_keras_object(obj)

    return {k: name(v) for k, v in kwargs.items()}


# ---- data -----------------------------------------------------------------------------------

def input_shapes(model):
    if isinstance(model, TwoLayerNet):
        return [(4,)]
    return [tuple(t.shape[1:]) for t in model.inputs]


def make_x(rng, shapes, batch):
    xs = [rng.uniform(-1.0, 1.0, (batch,) + s).astype(np.float32) for s in shapes]
    return xs if len(xs) > 1 else xs[0]


def make_y(rng, targets, out_shapes, batch):
    ys = []
    for target, shape in zip(targets, out_shapes):
        if target[0] == "sparse":
            ys.append(rng.integers(0, target[1], (batch,)).astype(np.float32))
        elif target[0] == "onehot":
            ys.append(np.eye(target[1], dtype=np.float32)[rng.integers(0, target[1], (batch,))])
        elif target[0] == "binary":
            ys.append(rng.integers(0, 2, (batch,) + shape).astype(np.float32))
        else:
            ys.append(rng.normal(0.0, 1.0, (batch,) + shape).astype(np.float32))
    return ys if len(ys) > 1 else ys[0]


def batch_json(x, y):
    return {"x": arrays_json(x), "y": arrays_json(y)}


def logs_json(logs):
    return {k: short_float(keras.ops.convert_to_numpy(v)) for k, v in logs.items()}


def compact_json(obj, indent=0, width=110):
    """JSON with one item per line, except that short values and lists of numbers stay on one."""
    text = json.dumps(obj)
    numbers = isinstance(obj, list) and all(v is None or isinstance(v, (int, float)) for v in obj)
    if len(text) <= width or numbers:
        return text
    pad = " " * (indent + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {compact_json(v, indent + 1, width)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(obj, list):
        items = [pad + compact_json(v, indent + 1, width) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return text


def as_list(a):
    return list(a) if isinstance(a, (list, tuple)) else [a]


def assert_close(what, got, want, rtol=1e-6, atol=1e-7):
    got, want = as_list(got), as_list(want)
    assert len(got) == len(want), f"{what}: {len(got)} arrays, expected {len(want)}"
    for g, w in zip(got, want):
        g = np.asarray(keras.ops.convert_to_numpy(g))
        w = np.asarray(w)
        assert g.shape == w.shape, f"{what}: shape {g.shape}, expected {w.shape}"
        assert np.allclose(g, w, rtol=rtol, atol=atol), \
            f"{what}: max |diff| {np.max(np.abs(g - w))}"


# ---- Keras 2 JSON ---------------------------------------------------------------------------
# keras.md §4.4: Keras 2's to_json() has no "module" or "registered_name", writes dtype as a
# string, InputLayer's shape as "batch_input_shape", and a Functional layer's inbound_nodes as
# lists of [layer_name, node_index, tensor_index, call_kwargs] per call. Keras 3 still reads all
# of that: keras/src/legacy/saving/saving_utils.py:model_from_config (batch_input_shape ->
# batch_shape, a config without "module" goes through legacy/saving/serialization.py), and
# keras/src/models/functional.py:deserialize_node (the list form of a node), functional_from_config
# (input_layers/output_layers as lists of [name, node, tensor]).

# Keras 3 config keys Keras 2 did not write; dropped when they hold their default.
KERAS3_ONLY_KEYS = {"optional": False, "quantization_config": None, "input_axes": None,
                    "output_axes": None, "lora_rank": None, "lora_alpha": None}


def legacy_node(node):
    """Keras 3's {"args": [...], "kwargs": {...}} -> Keras 2's [[name, node, tensor, kwargs], ...]."""
    tensors = []

    def walk(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            tensors.append(list(value["config"]["keras_history"]))
        elif isinstance(value, dict):
            raise ValueError(f"a node argument Keras 2 could not write: {value}")
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            raise ValueError(f"a constant node argument Keras 2 could not write: {value!r}")

    walk(node["args"])
    kwargs = to_keras2(node["kwargs"])
    return [t + [kwargs] for t in tensors]


def legacy_endpoints(value):
    # Keras 3 writes one tensor as a flat ["a", 0, 0]; Keras 2 always wrote a list of them.
    if len(value) == 3 and isinstance(value[0], str):
        return [value]
    return value


def to_keras2(obj):
    if isinstance(obj, list):
        return [to_keras2(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if obj.get("class_name") == "DTypePolicy":
        return obj["config"]["name"]
    out = {}
    for key, value in obj.items():
        if key in ("module", "registered_name", "build_config", "compile_config", "shared_object_id"):
            continue
        if key in KERAS3_ONLY_KEYS and value == KERAS3_ONLY_KEYS[key]:
            continue
        if key == "batch_shape":
            out["batch_input_shape"] = value
        elif key == "inbound_nodes":
            out[key] = [legacy_node(n) for n in value]
        elif key in ("input_layers", "output_layers"):
            out[key] = legacy_endpoints(value)
        else:
            out[key] = to_keras2(value)
    return out


def to_keras2_json(model):
    config = to_keras2(json.loads(model.to_json()))
    # tf_keras/engine/training.py:_updated_config adds these two keys.
    config["keras_version"] = "2.15.0"
    config["backend"] = "tensorflow"
    return config


def check_keras2_json(config, weights, x, predictions, h5_path):
    """Loads the Keras 2 JSON the ways Keras 3 can; returns what happened."""
    from keras.src.legacy.saving import saving_utils

    text = json.dumps(config)
    result = {}
    try:
        keras.models.model_from_json(text)
        result["model_from_json"] = "loaded"
    except Exception as e:  # noqa: BLE001 - recorded: Keras 3's model_from_json wants "module"
        result["model_from_json"] = f"refused: {type(e).__name__}: {str(e).splitlines()[0][:160]}"
    loaded = saving_utils.model_from_config(json.loads(text))
    loaded.set_weights(weights)
    assert_close("keras2 json via legacy model_from_config", loaded.predict(x, verbose=0), predictions)
    result["legacy_model_from_config"] = "loaded, predictions match"
    if h5_path:
        # The same JSON as the model_config of a legacy .h5 (what a Keras 2 file holds).
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "keras2.h5")
            shutil.copy(h5_path, path)
            with h5py.File(path, "r+") as f:
                f.attrs["model_config"] = json.dumps({"class_name": config["class_name"],
                                                      "config": config["config"]})
                f.attrs["keras_version"] = "2.15.0"
                f.attrs["backend"] = "tensorflow"
            loaded = keras.saving.load_model(path, compile=False)
            assert_close("keras2 json inside a legacy .h5", loaded.predict(x, verbose=0), predictions)
        result["legacy_h5_with_this_model_config"] = "loaded, predictions match"
    return result


def load_legacy_h5(path):
    """keras.saving.load_model on a legacy .h5, as plainly as Keras manages: returns the model,
    whether it is compiled, and what had to be added (recorded in the JSON)."""
    refusals = []
    for kwargs in ({}, {"custom_objects": {"TwoLayerNet": TwoLayerNet}},
                   {"compile": False}, {"compile": False, "custom_objects": {"TwoLayerNet": TwoLayerNet}}):
        try:
            model = keras.saving.load_model(path, **kwargs)
        except Exception as e:  # noqa: BLE001 - Keras's own failure, recorded
            refusals.append(f"Keras refuses load_model({', '.join(kwargs) or 'path'}): "
                            f"{type(e).__name__}: {str(e).splitlines()[0][:240]}; ")
            continue
        how = "".join(refusals) + (f"loaded with {', '.join(f'{k}={v!r}' for k, v in kwargs.items())}: "
                                   if kwargs else "")
        return model, kwargs.get("compile", True), how
    return None, False, "".join(refusals)


# ---- one case -------------------------------------------------------------------------------

def run_case(index, name, kind, build, compile_kwargs, targets, train, keras2):
    keras.backend.clear_session()  # restarts the automatic names (dense, dense_1, ...) per case
    keras.utils.set_random_seed(1234 + index)
    rng = np.random.default_rng(20250700 + index)
    model = build()
    kwargs = compile_kwargs()
    model.compile(**kwargs)
    shapes = input_shapes(model)  # a subclassed model builds in its first train_on_batch
    out_shapes = [tuple(t.shape[1:]) for t in as_list(model.outputs)] if not isinstance(model, TwoLayerNet) \
        else [(2,)]

    before = [(make_x(rng, shapes, TRAIN_BATCH), make_y(rng, targets, out_shapes, TRAIN_BATCH))
              for _ in range(STEPS_BEFORE_SAVE)] if train else []
    for x, y in before:
        model.train_on_batch(x, y)

    x_pred = make_x(rng, shapes, PREDICT_BATCH)
    predictions = model.predict(x_pred, verbose=0)
    weights_at_save = model.get_weights()
    opt_vars = [{"path": v.path, "shape": list(v.shape), "dtype": str(v.dtype)}
                for v in model.optimizer.variables]

    files = {"keras": f"{name}.keras", "weights_h5": f"{name}.weights.h5", "legacy_h5": f"{name}.h5",
             "legacy_h5_refused": None, "legacy_h5_keras_loads": None, "keras2_json": f"{name}.keras2.json" if keras2 else None}
    path = {k: os.path.join(OUT, v) for k, v in files.items() if isinstance(v, str)}
    model.save(path["keras"])
    model.save_weights(path["weights_h5"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save(path["legacy_h5"])
    except Exception as e:  # noqa: BLE001 - recorded in the JSON
        files["legacy_h5"] = None
        files["legacy_h5_refused"] = f"{type(e).__name__}: {e}"
        if os.path.exists(path["legacy_h5"]):
            os.remove(path["legacy_h5"])

    keras2_config = None
    if keras2:
        keras2_config = to_keras2_json(model)
        with open(path["keras2_json"], "w") as f:
            f.write(compact_json(keras2_config) + "\n")

    after = [(make_x(rng, shapes, TRAIN_BATCH), make_y(rng, targets, out_shapes, TRAIN_BATCH))
             for _ in range(STEPS_AFTER_SAVE)] if train else []
    logs = [logs_json(model.train_on_batch(x, y, return_dict=True)) for x, y in after]
    weights_after = model.get_weights()

    # ---- the self-check: every file back through Keras ----
    checks = {}
    loaded = keras.saving.load_model(path["keras"])
    assert_close(f"{name}.keras predictions", loaded.predict(x_pred, verbose=0), predictions)
    assert_close(f"{name}.keras weights", loaded.get_weights(), weights_at_save, rtol=0, atol=0)
    iterations = int(keras.ops.convert_to_numpy(loaded.optimizer.iterations))
    assert iterations == (STEPS_BEFORE_SAVE if train else 0), iterations
    checks["keras"] = f"predictions match; optimizer.iterations = {iterations}; " \
                      f"{len(loaded.optimizer.variables)} optimizer variables"
    if train:
        resumed = [logs_json(loaded.train_on_batch(x, y, return_dict=True)) for x, y in after]
        assert_close(f"{name}.keras resumed training", loaded.get_weights(), weights_after, rtol=1e-5, atol=1e-6)
        for got, want in zip(resumed, logs):
            assert set(got) == set(want), (got, want)
            for k in want:
                assert np.isclose(got[k], want[k], rtol=1e-5, atol=1e-6), (k, got, want)
        checks["keras"] += f"; {STEPS_AFTER_SAVE} more steps end with the recorded weights and logs"

    fresh = build()
    if isinstance(fresh, TwoLayerNet):
        fresh(np.zeros((1,) + shapes[0], np.float32))  # build() alone would not build its layers
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh.load_weights(path["weights_h5"])
    assert_close(f"{name}.weights.h5 predictions", fresh.predict(x_pred, verbose=0), predictions)
    checks["weights_h5"] = "into a fresh, uncompiled model: predictions match" + \
        "".join(f"; warning: {str(w.message).splitlines()[0][:200]}" for w in caught)

    if files["legacy_h5"]:
        legacy, compiled, how = load_legacy_h5(path["legacy_h5"])
        files["legacy_h5_keras_loads"] = legacy is not None
        if legacy is None:
            # Keras writes a subclassed model's .h5 but cannot read it back; kept, as written.
            assert kind == "subclassed", f"Keras cannot load {name}.h5: {how}"
            checks["legacy_h5"] = "Keras wrote it but cannot load it: " + how
        else:
            assert_close(f"{name}.h5 predictions", legacy.predict(x_pred, verbose=0), predictions)
            checks["legacy_h5"] = how + "predictions match"
        if train and compiled:
            legacy_iterations = int(keras.ops.convert_to_numpy(legacy.optimizer.iterations))
            checks["legacy_h5"] += f"; optimizer.iterations = {legacy_iterations}, " \
                f"{len(legacy.optimizer.variables)} optimizer variables"
            try:
                for x, y in after:
                    legacy.train_on_batch(x, y)
                resumes = all(np.allclose(g, w, rtol=1e-5, atol=1e-6)
                              for g, w in zip(legacy.get_weights(), weights_after))
                checks["legacy_h5"] += "; resuming training " + \
                    ("gives the recorded weights" if resumes else "does NOT give the recorded weights")
            except Exception as e:  # noqa: BLE001 - Keras's own failure, recorded
                checks["legacy_h5"] += f"; Keras cannot resume training from it: {type(e).__name__}: " + \
                    str(e).splitlines()[0][:240]
    if keras2:
        checks["keras2_json"] = check_keras2_json(keras2_config, weights_at_save, x_pred,
                                                  predictions, path["legacy_h5"] if files["legacy_h5"] else None)

    zip_entries, keras_weights = keras_archive_layout(path["keras"])
    with h5py.File(path["weights_h5"], "r") as f:
        weights_layout = h5_layout(f)
    legacy_layout = None
    if files["legacy_h5"]:
        with h5py.File(path["legacy_h5"], "r") as f:
            legacy_layout = h5_layout(f)

    case = {
        "name": name,
        "kind": kind,
        "layers": layer_classes(model),
        "files": files,
        "compile": describe_compile(kwargs),
        "inputs": arrays_json(x_pred),
        "predictions": arrays_json(predictions),
        "weight_paths": [v.path for v in model.weights],
        "weights_at_save": [array_json(w) for w in weights_at_save],
        "optimizer_variables_at_save": opt_vars,
        "train": None if not train else {
            "steps_before_save": STEPS_BEFORE_SAVE,
            "optimizer_iterations_at_save": STEPS_BEFORE_SAVE,
            "batches": [batch_json(x, y) for x, y in after],
            "logs": logs,
            "reset_metrics": True,
            "weights_after": [array_json(w) for w in weights_after],
        },
        "layout": {
            "keras_zip_entries": zip_entries,
            "keras_model_weights_h5": keras_weights,
            # save_weights writes the same tree as the archive's model.weights.h5 (optimizer too)
            "weights_h5": "same as keras_model_weights_h5" if weights_layout == keras_weights else weights_layout,
            "legacy_h5": legacy_layout,
        },
        "checks": checks,
    }
    return case


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [run_case(i, *c) for i, c in enumerate(CASES)]
    used = {c for case in cases for c in case["layers"]}
    missing = [c for c in STRATA_LAYERS if c not in used]
    assert not missing, f"no case uses {missing}"

    doc = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "generator": "tests/golden/make_saving_goldens.py",
        "array_format": "{\"shape\": [...], \"data\": [flat row-major float32 values]}; a list of "
                        "them for several inputs or outputs",
        "notes": NOTES,
        "cases": cases,
    }
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        f.write(compact_json(doc) + "\n")

    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {OUT}: {len(cases)} cases, {total / 1024:.0f} KiB "
          f"(Keras {keras.__version__}, {keras.backend.backend()})", file=sys.stderr)
    for case in cases:
        train = case["train"]
        opt = case["compile"]["optimizer"]["class_name"]
        loss = case["compile"]["loss"]
        print(f"  {case['name']:22s} {case['kind']:11s} {opt:8s} "
              f"{'train' if train else 'predict only':12s} loss={json.dumps(loss)[:60]}", file=sys.stderr)
        print(f"    layers: {', '.join(case['layers'])}", file=sys.stderr)
        for k, v in case["checks"].items():
            print(f"    {k}: {v}", file=sys.stderr)
        if case["files"]["legacy_h5_refused"]:
            print(f"    legacy .h5 refused: {case['files']['legacy_h5_refused'][:200]}", file=sys.stderr)
    print(f"  every Strata layer class is used ({len(STRATA_LAYERS)})", file=sys.stderr)


if __name__ == "__main__":
    main()
