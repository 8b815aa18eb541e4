#!/usr/bin/env python3
"""Loads files Strata wrote with real Keras 3 (JAX backend) and checks that Keras predicts what
Strata predicted: the Strata -> Keras direction of tests/golden/make_saving_goldens.py.

    scripts/keras-venv
    KERAS_BACKEND=jax nice .venv-keras/bin/python tests/golden/check_strata_saves.py DIR

DIR holds the files a Strata test program wrote and DIR/cases.json, arrays in the format of
tests/golden/saving/cases.json ({"shape": [...], "data": [flat row-major floats]}, a list of
them for several inputs or outputs):

    {"cases": [
      {"name": "seq_cnn",
       "files": {"keras": "seq_cnn.keras",            # model.save(...)          } each one
                 "weights_h5": "seq_cnn.weights.h5",  # model.save_weights(...)  } optional
                 "json": "seq_cnn.json",              # model.to_json()          } (absent or
                 "legacy_h5": "seq_cnn.h5"},          # legacy model.save(x.h5)  } null: skipped)
       "inputs": {"shape": [3, 6, 6, 2], "data": [...]},
       "predictions": {"shape": [3, 3], "data": [...]},   # Strata's, in inference mode
       "optimizer_iterations": 2,                         # optional: optimizer.iterations saved
       "policies": {"conv2d": "mixed_bfloat16", ...},     # optional: each layer's dtype policy
       "atol": 0.02}                                      # optional: the absolute tolerance
    ]}

(A bare list of cases is accepted too.) Per case and file:
  .keras        keras.saving.load_model, predict. When its config.json has a compile_config: the
                optimizer must load without Keras's "Skipping variable loading for optimizer"
                warning, its variables must equal the archive's optimizer/vars datasets (so they
                really loaded: more than iteration and learning_rate when the file has more), and
                optimizer.iterations must equal "optimizer_iterations" when given.
  json + .h5    keras.models.model_from_json on the json, load_weights from the weights file, predict.
  legacy .h5    keras.saving.load_model, predict. Keras 3.15 cannot compile some legacy files,
                its own included (a loss named "mse" or "mae": "Could not deserialize
                'keras.metrics.mse'"); such a file is then loaded with compile=False and the
                refusal is printed, not counted as a failure.
Predictions must match Strata's to rtol 1e-5, atol 1e-6 (or the case's "atol": a mixed_bfloat16
model rounds its activations to bfloat16, where XLA and oneDNN round in different places). A
case with "policies" must load with each named layer's dtype policy (.keras and json files). One line per case and file: "ok" or what
differed (a load error prints the exception text, and the script goes on to the next file).
Exit status 1 when anything failed, 0 otherwise.
"""

import io
import json
import os
import sys
import traceback
import warnings
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

# Registers strata_test>TwoLayerNet, the subclassed model of the goldens (and sets the JAX
# matmul precision to "highest").
from make_saving_goldens import TwoLayerNet  # noqa: E402

RTOL = 1e-5
ATOL = 1e-6
CUSTOM_OBJECTS = {"TwoLayerNet": TwoLayerNet, "strata_test>TwoLayerNet": TwoLayerNet}


class CheckFailed(Exception):
    pass


def read_array(obj):
    if isinstance(obj, list):
        return [read_array(o) for o in obj]
    shape = tuple(obj["shape"])
    data = np.asarray(obj["data"], dtype=np.float32)
    if data.size != int(np.prod(shape)):
        raise CheckFailed(f"array of shape {list(shape)} holds {data.size} values")
    return data.reshape(shape)


def as_list(a):
    return list(a) if isinstance(a, (list, tuple)) else [a]


def compare(got, want, case):
    rtol, atol = RTOL, case.get("atol", ATOL)
    got, want = as_list(got), as_list(want)
    if len(got) != len(want):
        raise CheckFailed(f"Keras gives {len(got)} outputs, Strata recorded {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        g = np.asarray(keras.ops.convert_to_numpy(g), dtype=np.float32)
        which = f"output {i}: " if len(want) > 1 else ""
        if g.shape != w.shape:
            raise CheckFailed(f"{which}Keras predicts shape {list(g.shape)}, Strata {list(w.shape)}")
        if not np.allclose(g, w, rtol=rtol, atol=atol):
            diff = np.abs(g - w)
            worst = np.unravel_index(np.argmax(diff - rtol * np.abs(w)), diff.shape)
            raise CheckFailed(
                f"{which}predictions differ: max |diff| {diff.max():.3g}; at {list(map(int, worst))} "
                f"Keras {g[worst]:.8g}, Strata {w[worst]:.8g} ({int(np.sum(~np.isclose(g, w, rtol, atol)))} of "
                f"{g.size} values outside rtol {rtol}, atol {atol})")


def check_policies(model, case):
    for name, policy in case.get("policies", {}).items():
        loaded = model.get_layer(name).dtype_policy.name
        if loaded != policy:
            raise CheckFailed(f"layer {name} loaded with dtype policy {loaded}, Strata saved {policy}")


def first_line(e):
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0][:300] if text else ''}"


def optimizer_vars_in_archive(path):
    """The archive's optimizer/vars datasets in numeric order, or None without an optimizer."""
    with zipfile.ZipFile(path) as z:
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            if "optimizer" not in f or "vars" not in f["optimizer"]:
                return None
            group = f["optimizer"]["vars"]
            return [np.asarray(group[k]) for k in sorted(group.keys(), key=int)]


def check_keras(path, inputs, predictions, case):
    with zipfile.ZipFile(path) as z:
        config = json.loads(z.read("config.json"))
    has_compile = bool(config.get("compile_config"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.saving.load_model(path, custom_objects=CUSTOM_OBJECTS)
    check_policies(model, case)
    compare(model.predict(inputs, verbose=0), predictions, case)
    notes = []
    if not has_compile:
        return "ok (no compile_config)"
    if getattr(model, "optimizer", None) is None:
        raise CheckFailed("the file has a compile_config but the loaded model has no optimizer")
    saved = optimizer_vars_in_archive(path)
    if saved is None:
        raise CheckFailed("the file has a compile_config but model.weights.h5 has no optimizer/vars")
    # An optimizer saved before its first step holds only iteration and learning_rate; Keras
    # builds the full one on load and warns that it skipped loading, which is right then.
    expected = case.get("optimizer_iterations")
    skipped = [str(w.message).strip() for w in caught if "Skipping variable loading" in str(w.message)]
    if skipped and (len(saved) > 2 or expected):
        raise CheckFailed(f"predictions match, but the optimizer state did not load (the archive holds "
                          f"{len(saved)} optimizer variables; Keras: {skipped[0][:300]})")
    loaded = [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.optimizer.variables]
    if len(saved) > 2 and len(loaded) != len(saved):
        raise CheckFailed(f"the archive holds {len(saved)} optimizer variables, Keras loaded {len(loaded)}")
    if len(saved) > 2:
        for i, (l, s) in enumerate(zip(loaded, saved)):
            if l.shape != s.shape or not np.array_equal(l, s.astype(l.dtype)):
                raise CheckFailed(f"optimizer variable {i} ({model.optimizer.variables[i].path}) "
                                  f"is not the archive's optimizer/vars/{i}")
    iterations = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    if expected is not None and iterations != int(expected):
        raise CheckFailed(f"optimizer.iterations is {iterations}, Strata saved {expected}")
    if expected and len(saved) == 2 and not _slot_free(config):
        raise CheckFailed(f"optimizer.iterations is {iterations} but the archive holds only iteration and "
                          "learning_rate: the optimizer's slots (momenta...) were not saved")
    notes.append(f"optimizer.iterations = {iterations}")
    notes.append(f"{len(loaded)} optimizer variables" + (" (= the archive's)" if len(saved) > 2 else ""))
    return "ok (" + ", ".join(notes) + ")"


def _slot_free(config):
    """Plain SGD (momentum 0) has no slot variables: only iteration and learning_rate."""
    opt = config["compile_config"].get("optimizer") or {}
    if isinstance(opt, str):
        return opt.lower() == "sgd"
    return opt.get("class_name") == "SGD" and not opt.get("config", {}).get("momentum")


def check_json_weights(json_path, weights_path, inputs, predictions, case):
    with open(json_path) as f:
        text = f.read()
    model = keras.models.model_from_json(text, custom_objects=CUSTOM_OBJECTS)
    if isinstance(model, TwoLayerNet) and not model.built:
        model(np.zeros((1,) + as_list(inputs)[0].shape[1:], np.float32))
    model.load_weights(weights_path)
    check_policies(model, case)
    compare(model.predict(inputs, verbose=0), predictions, case)
    return "ok"


def check_legacy_h5(path, inputs, predictions, case):
    try:
        model = keras.saving.load_model(path, custom_objects=CUSTOM_OBJECTS)
        note = ""
    except Exception as e:  # noqa: BLE001 - Keras's own compile failure; retried uncompiled
        model = keras.saving.load_model(path, custom_objects=CUSTOM_OBJECTS, compile=False)
        note = f" (loaded with compile=False: Keras could not compile it: {first_line(e)})"
    compare(model.predict(inputs, verbose=0), predictions, case)
    return "ok" + note


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        print("usage: check_strata_saves.py DIR", file=sys.stderr)
        return 2
    directory = argv[1]
    try:
        with open(os.path.join(directory, "cases.json")) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read {os.path.join(directory, 'cases.json')}: {first_line(e)}")
        return 1
    cases = doc["cases"] if isinstance(doc, dict) else doc

    failures = 0
    checked = 0
    for index, case in enumerate(cases):
        name = case.get("name", f"case {index}")
        files = case.get("files", {})
        try:
            inputs = read_array(case["inputs"])
            predictions = read_array(case["predictions"])
        except (KeyError, TypeError, ValueError, CheckFailed) as e:
            print(f"{name}: FAIL: cannot read its inputs and predictions: {first_line(e)}")
            failures += 1
            continue
        keras_file = files.get("keras")
        weights_file = files.get("weights_h5") or files.get("weights")
        json_file = files.get("json") or files.get("config_json")
        legacy_file = files.get("legacy_h5") or files.get("h5")
        jobs = []
        if keras_file:
            jobs.append((keras_file, lambda p=keras_file: check_keras(os.path.join(directory, p), inputs,
                                                                      predictions, case)))
        if json_file and weights_file:
            jobs.append((f"{json_file} + {weights_file}",
                         lambda: check_json_weights(os.path.join(directory, json_file),
                                                    os.path.join(directory, weights_file), inputs, predictions,
                                                    case)))
        elif json_file or weights_file:
            print(f"{name}: {json_file or weights_file}: FAIL: needs both a .json and a .weights.h5")
            failures += 1
        if legacy_file:
            jobs.append((legacy_file, lambda p=legacy_file: check_legacy_h5(os.path.join(directory, p), inputs,
                                                                             predictions, case)))
        if not jobs:
            print(f"{name}: FAIL: no files listed")
            failures += 1
        for label, job in jobs:
            checked += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = job()
                print(f"{name}: {label}: {result}")
            except CheckFailed as e:
                print(f"{name}: {label}: FAIL: {e}")
                failures += 1
            except Exception as e:  # noqa: BLE001 - a load error is a result, reported in full
                detail = "".join(traceback.format_exception_only(type(e), e)).strip()
                print(f"{name}: {label}: FAIL: Keras cannot load it: {detail[:1500]}")
                failures += 1
        sys.stdout.flush()

    print(f"{checked} files checked, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
