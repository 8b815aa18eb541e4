#!/usr/bin/env python3
"""Writes tests/golden/ops.json: outputs of keras.ops functions (arithmetic with broadcasting
and floats, matmul, shape ops, reductions, activations) from real Keras 3, for the C++ test
tests/ops/ops_golden_test.cpp. The sibling of make_merge_goldens.py, with the same inputs'
ranges; regenerate the same way:

    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_ops_goldens.py

Every case names the strata::ops function (`op`), its arguments beyond the tensors (`args`,
under strata's names), its inputs and Keras's output. Arrays are flat, row-major float32 values
with their shapes beside them. strata::ops::reshape and slice take per-sample and per-axis
arguments; the cases say which keras.ops call gives the same result.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

K = keras.ops
RNG = np.random.default_rng(20250613)


def uniform(shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype(np.float32)


def flat(a):
    return [float(v) for v in np.asarray(K.convert_to_numpy(a), dtype=np.float32).reshape(-1)]


def case(name, op, args, inputs, fn):
    """`fn(*inputs)` is the keras.ops call equal to strata::ops `op` with `args`."""
    y = fn(*inputs)
    return {
        "name": name,
        "op": op,
        "args": args,
        "inputs": [{"shape": list(x.shape), "values": flat(x)} for x in inputs],
        "output_shape": list(np.shape(K.convert_to_numpy(y))),
        "output": flat(y),
    }


def cases():
    out = []
    add = out.append
    positive = lambda shape: uniform(shape, 0.5, 2.0)  # noqa: E731  (divisors)
    # ---- arithmetic ---------------------------------------------------------------------
    add(case("add_broadcast", "add", {}, [uniform((2, 3)), uniform((3,))], K.add))
    add(case("subtract_broadcast", "subtract", {}, [uniform((2, 1, 4)), uniform((3, 1))], K.subtract))
    add(case("multiply_column", "multiply", {}, [uniform((2, 3)), uniform((2, 1))], K.multiply))
    add(case("divide_outer", "divide", {}, [uniform((3, 1)), positive((1, 4))], K.divide))
    add(case("add_float", "add", {"scalar": 2.5, "scalar_first": False}, [uniform((2, 3))], lambda x: K.add(x, 2.5)))
    add(case("float_subtract", "subtract", {"scalar": 1.0, "scalar_first": True}, [uniform((2, 3))],
             lambda x: K.subtract(1.0, x)))
    add(case("multiply_float", "multiply", {"scalar": -3.0, "scalar_first": False}, [uniform((4,))],
             lambda x: K.multiply(x, -3.0)))
    add(case("float_divide", "divide", {"scalar": 2.0, "scalar_first": True}, [positive((2, 3))],
             lambda x: K.divide(2.0, x)))
    add(case("divide_float", "divide", {"scalar": 3.0, "scalar_first": False}, [uniform((2, 3))],
             lambda x: K.divide(x, 3.0)))
    add(case("negative", "negative", {}, [uniform((2, 3))], K.negative))
    add(case("matmul_2d", "matmul", {}, [uniform((3, 4)), uniform((4, 2))], K.matmul))
    add(case("matmul_rank3", "matmul", {}, [uniform((2, 3, 4)), uniform((4, 5))], K.matmul))
    # ---- shapes -------------------------------------------------------------------------
    add(case("concatenate_axis0", "concatenate", {"axis": 0}, [uniform((2, 3)), uniform((1, 3))],
             lambda a, b: K.concatenate([a, b], axis=0)))
    add(case("concatenate_last", "concatenate", {"axis": -1}, [uniform((2, 3)), uniform((2, 2)), uniform((2, 1))],
             lambda a, b, c: K.concatenate([a, b, c], axis=-1)))
    add(case("reshape", "reshape", {"shape": [-1, 2]}, [uniform((2, 3, 4))], lambda x: K.reshape(x, (2, -1, 2))))
    add(case("transpose_default", "transpose", {}, [uniform((2, 3, 4))], K.transpose))
    add(case("transpose_perm", "transpose", {"axes": [0, 2, 1]}, [uniform((2, 3, 4))],
             lambda x: K.transpose(x, (0, 2, 1))))
    add(case("expand_dims", "expand_dims", {"axis": 1}, [uniform((2, 3))], lambda x: K.expand_dims(x, 1)))
    add(case("squeeze_axis", "squeeze", {"axis": -2}, [uniform((2, 1, 3))], lambda x: K.squeeze(x, -2)))
    add(case("squeeze_all", "squeeze", {}, [uniform((2, 1, 3, 1))], K.squeeze))
    add(case("slice_last", "slice", {"axis": -1, "start": 1, "size": 2}, [uniform((2, 4))],
             lambda x: K.slice(x, (0, 1), (2, 2))))
    add(case("slice_middle", "slice", {"axis": 1, "start": 0, "size": 2}, [uniform((2, 3, 2))],
             lambda x: K.slice(x, (0, 0, 0), (2, 2, 2))))
    # ---- reductions ---------------------------------------------------------------------
    add(case("sum_all", "sum", {}, [uniform((2, 3))], K.sum))
    add(case("sum_axis1_keepdims", "sum", {"axes": [1], "keepdims": True}, [uniform((2, 3, 2))],
             lambda x: K.sum(x, axis=1, keepdims=True)))
    add(case("mean_axes", "mean", {"axes": [0, -1]}, [uniform((2, 3, 2))], lambda x: K.mean(x, axis=(0, -1))))
    add(case("max_last", "max", {"axes": [-1]}, [uniform((3, 4))], lambda x: K.max(x, axis=-1)))
    add(case("max_all_keepdims", "max", {"keepdims": True}, [uniform((3, 4))], lambda x: K.max(x, keepdims=True)))
    # ---- activations --------------------------------------------------------------------
    x = uniform((3, 4), -3.0, 3.0)
    add(case("relu", "relu", {}, [x], K.relu))
    add(case("sigmoid", "sigmoid", {}, [x], K.sigmoid))
    add(case("tanh", "tanh", {}, [x], K.tanh))
    add(case("softmax", "softmax", {}, [x], K.softmax))
    add(case("softmax_axis0", "softmax", {"axis": 0}, [x], lambda v: K.softmax(v, axis=0)))
    add(case("gelu_approximate", "gelu", {}, [x], K.gelu))
    add(case("gelu_exact", "gelu", {"approximate": False}, [x], lambda v: K.gelu(v, approximate=False)))
    add(case("elu", "elu", {}, [x], K.elu))
    add(case("elu_alpha", "elu", {"alpha": 0.5}, [x], lambda v: K.elu(v, alpha=0.5)))
    add(case("selu", "selu", {}, [x], K.selu))
    add(case("softplus", "softplus", {}, [x], K.softplus))
    add(case("silu", "silu", {}, [x], K.silu))
    add(case("leaky_relu", "leaky_relu", {}, [x], K.leaky_relu))
    add(case("leaky_relu_slope", "leaky_relu", {"negative_slope": 0.1}, [x], lambda v: K.leaky_relu(v, 0.1)))
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops.json")
    doc = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases()}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(doc['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
