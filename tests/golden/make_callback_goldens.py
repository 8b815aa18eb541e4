#!/usr/bin/env python3
"""Writes tests/golden/callbacks.json: what real Keras 3's callbacks and fit's weighting do.

The C++ tests (tests/callbacks/) read the JSON and never run Python. To regenerate:

    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_callback_goldens.py

Sections:
- "monitor": EarlyStopping, ReduceLROnPlateau and ModelCheckpoint driven epoch by epoch with
  scripted logs on a small compiled model (so mode "auto" can ask the model's metrics), with
  what each holds after every epoch (stop_training, wait, best, learning rate, files saved).
- "scheduler": LearningRateScheduler's rates for a schedule the C++ test writes the same way.
- "csv": the bytes CSVLogger writes for scripted logs.
- "format": Python's str.format of ModelCheckpoint-style patterns.
- "hooks": the order in which fit calls every hook (2 epochs, 3 batches, 2 validation batches).
- "weighting": fit, evaluate and validation with sample_weight and class_weight on a fixed
  model: the weights after training and the logged losses.
"""

import json
import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def small_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    # Keras builds the compiled metrics at the first batch; mode "auto" needs them built.
    model.evaluate(np.zeros((2, 4), np.float32), np.zeros((2,), np.float32), verbose=0)
    return model


LOSSES = [1.0, 0.8, 0.81, 0.79, 0.795, 0.80, 0.70, 0.70001, 0.72, 0.73, 0.74, 0.69]
ACCS = [0.5, 0.6, 0.6, 0.65, 0.64, 0.66, 0.7, 0.7, 0.69, 0.71, 0.71, 0.72]


def scripted_logs(epoch):
    return {"loss": LOSSES[epoch] + 0.1, "accuracy": ACCS[epoch] - 0.05, "val_loss": LOSSES[epoch],
            "val_accuracy": ACCS[epoch]}


def drive(callback, model, record):
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin({})
    epochs = []
    for epoch in range(len(LOSSES)):
        callback.on_epoch_begin(epoch, {})
        logs = scripted_logs(epoch)
        callback.on_epoch_end(epoch, logs)
        entry = record(callback, model, logs)
        entry["stop_training"] = bool(model.stop_training)
        epochs.append(entry)
        if model.stop_training:
            break
    callback.on_train_end({})
    return epochs


def early_stopping_cases(model):
    cases = []
    variants = [
        {"patience": 0},
        {"patience": 2},
        {"patience": 2, "min_delta": 0.02},
        {"patience": 3, "monitor": "val_accuracy"},
        {"patience": 3, "monitor": "val_accuracy", "mode": "min"},
        {"patience": 1, "monitor": "loss", "mode": "max"},
        {"patience": 2, "baseline": 0.75},
        {"patience": 1, "start_from_epoch": 4},
        {"patience": 2, "restore_best_weights": True},
    ]
    for args in variants:
        cb = keras.callbacks.EarlyStopping(**args)
        epochs = drive(cb, model, lambda c, m, logs: {"wait": c.wait, "best": c.best, "best_epoch": c.best_epoch})
        cases.append({"args": args, "epochs": epochs, "stopped_epoch": cb.stopped_epoch})
    return cases


def reduce_lr_cases(model):
    cases = []
    variants = [
        {"patience": 1, "factor": 0.5},
        {"patience": 2, "factor": 0.1, "cooldown": 1},
        {"patience": 1, "factor": 0.5, "min_lr": 0.03},
        {"patience": 1, "factor": 0.2, "monitor": "val_accuracy", "min_delta": 0.0},
    ]
    for args in variants:
        model.optimizer.learning_rate = 0.1
        cb = keras.callbacks.ReduceLROnPlateau(**args)
        epochs = drive(cb, model, lambda c, m, logs: {"learning_rate": float(m.optimizer.learning_rate),
                                                      "logged_learning_rate": logs["learning_rate"], "wait": c.wait})
        cases.append({"args": args, "epochs": epochs})
    return cases


def checkpoint_cases(model):
    cases = []
    variants = [
        ("ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5", {"save_weights_only": True}),
        ("best-{epoch:03d}.weights.h5", {"save_weights_only": True, "save_best_only": True}),
        ("acc-{epoch}-{val_accuracy:.3f}.weights.h5",
         {"save_weights_only": True, "save_best_only": True, "monitor": "val_accuracy"}),
        ("thr-{epoch}.weights.h5",
         {"save_weights_only": True, "save_best_only": True, "initial_value_threshold": 0.75}),
    ]
    for pattern, args in variants:
        with tempfile.TemporaryDirectory() as tmp:
            cb = keras.callbacks.ModelCheckpoint(os.path.join(tmp, pattern), **args)
            epochs = drive(cb, model, lambda c, m, logs: {"files": sorted(os.listdir(tmp))})
        cases.append({"pattern": pattern, "args": args, "epochs": epochs})
    return cases


def scheduler_case(model):
    model.optimizer.learning_rate = 0.1

    def schedule(epoch, lr):
        return lr if epoch < 2 else lr * 0.5 if epoch % 2 == 0 else lr + 0.01

    cb = keras.callbacks.LearningRateScheduler(schedule)
    cb.set_model(model)
    rates = []
    for epoch in range(6):
        cb.on_epoch_begin(epoch, {})
        logs = {"loss": 0.0}  # Keras replaces an empty dict (`logs or {}`) rather than filling it
        cb.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    return rates


def csv_case(model):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "log.csv")
        cb = keras.callbacks.CSVLogger(path)
        cb.set_model(model)
        cb.on_train_begin({})
        cb.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.25})
        cb.on_epoch_end(1, {"loss": 0.1234567890123, "accuracy": 1.0 / 3.0})
        cb.on_train_end({})
        first = open(path, newline="").read()
        cb = keras.callbacks.CSVLogger(path, separator=";", append=True)
        cb.set_model(model)
        cb.on_train_begin({})
        cb.on_epoch_end(2, {"loss": 1e-05, "accuracy": 0.5, "val_loss": 2.0, "val_accuracy": 0.125})
        cb.on_train_end({})
        appended = open(path, newline="").read()
    return {"first": first, "appended": appended}


def format_cases():
    patterns = ["ckpt-{epoch:02d}-{val_loss:.2f}", "{epoch}", "{epoch:03d}", "{loss}", "{loss:.3e}", "{loss:10.4f}|",
                "{loss:<10.2f}|", "{loss:^9.1f}|", "{loss:+.2f}", "{epoch:>5d}|", "{loss:.2%}", "{loss:g}",
                "{big:g}", "{big:.3g}", "{tiny}", "{big}", "{neg:08.3f}", "{{epoch}}-{epoch}", "{loss:.4}",
                "{whole}", "{whole:.2}"]
    values = {"epoch": 7, "loss": 0.123456789, "val_loss": 1.23456, "big": 123456789.0, "tiny": 1.5e-07,
              "neg": -3.14159, "whole": 2.0}
    return {"values": values, "cases": [[p, p.format(**values)] for p in patterns]}


class HookRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name.startswith("on_"):
            def hook(*args, **kwargs):
                self.calls.append(" ".join([name] + [str(a) for a in args if isinstance(a, int)]))
            return hook
        return super().__getattribute__(name)


def hook_case():
    keras.utils.set_random_seed(1)
    model = small_model()
    x = np.zeros((12, 4), np.float32)
    y = np.zeros((12,), np.float32)
    rec = HookRecorder()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_data=(x[:8], y[:8]), callbacks=[rec])
    return rec.calls


def weighting_cases():
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1, (12, 4)).astype(np.float32)
    y = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 1, 1, 2], np.float32)
    sw = rng.uniform(0.1, 2.0, (12,)).astype(np.float32)
    kernel = rng.normal(0, 0.5, (4, 3)).astype(np.float32)
    bias = np.array([0.1, -0.2, 0.05], np.float32)
    class_weight = {0: 1.0, 1: 2.5, 2: 0.5}

    def fresh():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
        model.set_weights([kernel, bias])
        return model

    out = {"x": x.tolist(), "y": y.tolist(), "sample_weight": sw.tolist(), "kernel": kernel.tolist(),
           "bias": bias.tolist(), "class_weight": {str(k): v for k, v in class_weight.items()}}
    cases = {}
    m = fresh()
    h = m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, sample_weight=sw)
    cases["sample_weight"] = {"history": h.history, "weights": [w.tolist() for w in m.get_weights()]}
    m = fresh()
    h = m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, class_weight=class_weight)
    cases["class_weight"] = {"history": h.history, "weights": [w.tolist() for w in m.get_weights()]}
    m = fresh()
    h = m.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, sample_weight=sw, validation_split=0.25)
    cases["split_with_weights"] = {"history": h.history, "weights": [w.tolist() for w in m.get_weights()]}
    m = fresh()
    cases["evaluate"] = {"weighted": m.evaluate(x, y, batch_size=5, sample_weight=sw, verbose=0),
                         "plain": m.evaluate(x, y, batch_size=5, verbose=0)}
    out["cases"] = cases
    return out


def main():
    model = small_model()
    goldens = {
        "keras_version": keras.__version__,
        "monitor": {
            "early_stopping": early_stopping_cases(model),
            "reduce_lr": reduce_lr_cases(model),
            "checkpoint": checkpoint_cases(model),
        },
        "scheduler": scheduler_case(model),
        "csv": csv_case(model),
        "format": format_cases(),
        "hooks": hook_case(),
        "weighting": weighting_cases(),
        "logs": {"losses": LOSSES, "accuracies": ACCS},
    }
    with open(os.path.join(HERE, "callbacks.json"), "w") as f:
        json.dump(goldens, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
