"""Prints the expected progress-bar bytes in tests/api/progbar_test.cpp, from Keras's own code.

Loads keras/src/utils/progbar.py (Keras 3.15, from `pip install keras`) on its own, with its two
Keras imports stubbed and time.time() scripted, and runs the scenarios below with
stateless_metrics=set() as ProgbarLogger does (values shown as given). Output: one C++ string
literal per scenario.

    python3 tests/api/make_progbar_goldens.py /path/to/site-packages/keras/src/utils/progbar.py
"""

import sys
import types

source = open(sys.argv[1]).read()
source = source.replace("from keras.src.api_export import keras_export\n", "")
source = source.replace("from keras.src.utils import io_utils\n", "")
source = source.replace('@keras_export("keras.utils.Progbar")\n', "")

clock = {"now": 0.0}
out = []
module = types.ModuleType("progbar")
module.io_utils = types.SimpleNamespace(print_msg=lambda m, line_break=True: out.append(m))
exec(compile(source, "progbar.py", "exec"), module.__dict__)
module.time = types.SimpleNamespace(time=lambda: clock["now"])


def run(target, verbose, steps):
    """steps: (time, current, values dict, finalize or None)."""
    out.clear()
    clock["now"] = 100.0
    bar = module.Progbar(target, verbose=verbose, stateless_metrics=set())
    for now, current, values, finalize in steps:
        clock["now"] = now
        bar.update(current, list(values.items()), finalize=finalize)
    return "".join(out)


def cpp(text):
    body = ""
    for ch in text:
        if ch == "\x1b":
            body += '\\x1b""'
        elif ch == "\b":
            body += "\\b"
        elif ch == "\r":
            body += "\\r"
        elif ch == "\n":
            body += "\\n"
        elif ch == '"':
            body += '\\"'
        else:
            body += ch
    return f'"{body}"'


SCENARIOS = {
    # Redraws, the 50 ms hold-back, a shorter line padded, first step left out of the average,
    # the last batch drawn with finalize=False and then finalized with val_* keys, as fit does.
    "interactive": (10, 1, [
        (100.5, 1, {"accuracy": 0.25, "loss": 2.5}, None),
        (100.515625, 2, {"accuracy": 0.5, "loss": 1.25}, None),
        (101.5, 3, {"accuracy": 0.5, "loss": 1.25}, None),
        (102.0, 5, {"loss": 0.0005}, None),
        (104.0, 10, {"accuracy": 0.875, "loss": 0.375}, False),
        (104.25, 10, {"accuracy": 0.875, "loss": 0.375, "val_accuracy": 0.5, "val_loss": -0.5}, True),
    ]),
    "long_eta": (100000, 1, [
        (101.0, 1, {}, None),
        (111.0, 2, {}, None),
        (151.0, 3, {}, None),
        (151.5, 100000, {}, None),
    ]),
    "minutes_eta": (1000, 1, [
        (100.25, 1, {"loss": 1.0}, None),
        (100.5, 2, {"loss": 1.0}, None),
    ]),
    "unknown_target": (None, 1, [
        (100.5, 1, {"loss": 1.0}, None),
        (103.0, 250, {"loss": 0.5}, None),
        (103.5, 300, {"loss": 0.25}, True),
    ]),
    "verbose2": (1875, 2, [
        (100.5, 1, {"accuracy": 0.5, "loss": 1.0}, None),
        (100.75, 1000, {"accuracy": 0.75, "loss": 0.5}, False),
        (101.75, 1875, {"accuracy": 0.9123, "loss": 0.3001, "val_accuracy": 0.9561, "val_loss": -0.1502}, True),
    ]),
}

if __name__ == "__main__":
    for name, (target, verbose, steps) in SCENARIOS.items():
        print(f"// {name}\n{cpp(run(target, verbose, steps))}")
