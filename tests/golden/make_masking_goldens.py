#!/usr/bin/env python3
"""Writes tests/golden/masking.json: Embedding, int32 inputs and Keras's masks (Embedding's
mask_zero, Masking, and the layers that pass masks on, merge them or read them) in whole
Functional models, from real Keras 3. Read by tests/layers/sequence_golden_test.cpp.

Each case holds the model's JSON (`model.to_json()`, which Strata rebuilds with
model_from_json), its weights in `model.weights` order, its inputs (with their dtypes), the
output of an inference call, and the gradients of L = sum(y * r) for a fixed r with respect to
every trainable weight, computed by JAX through `model.stateless_call`.
Arrays are flat, row-major float32 lists with their shapes beside them. To regenerate:

    python3 -m venv .venv-keras && .venv-keras/bin/pip install keras numpy jax
    KERAS_BACKEND=jax .venv-keras/bin/python tests/golden/make_masking_goldens.py
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers
RNG = np.random.default_rng(20261201)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def indices(shape, vocab, zero_every=3):
    """Indices in [1, vocab) with padding zeros: trailing ones per row and a few inside."""
    x = RNG.integers(1, vocab, shape).astype(np.int32)
    for row in range(shape[0]):
        x[row, shape[1] - 1 - (row % zero_every):] = 0
    x[0, 1] = 0  # a zero in the middle of a sequence is masked too
    return x


def padded_sequences(shape, value=0.0):
    """Float sequences whose trailing steps (and one inner step) hold only `value`."""
    x = RNG.uniform(-1.5, 1.5, shape).astype(np.float32)
    for row in range(shape[0]):
        x[row, shape[1] - 1 - row % 3:, :] = value
    x[0, 1, :] = value
    x[1, 0, 0] = value  # one feature equal to the value does not mask the step
    return x


def case(name, model, inputs):
    weights = []
    for w in model.weights:
        v = RNG.uniform(-0.5, 0.5, w.shape).astype(np.float32)
        w.assign(v)
        weights.append(v)
    y = np.asarray(model(inputs if len(inputs) > 1 else inputs[0], training=False))
    r = RNG.uniform(-1, 1, y.shape).astype(np.float32)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss(tv):
        out, _ = model.stateless_call(tv, non_trainable, inputs if len(inputs) > 1 else inputs[0], training=True)
        return jnp.sum(out * r)

    gw = jax.grad(loss)(trainable)
    return {
        "name": name,
        "model": json.loads(model.to_json()),
        "weight_shapes": [list(w.shape) for w in model.weights],
        "weights": [flat(w) for w in weights],
        "inputs": [{"shape": list(x.shape), "dtype": str(x.dtype), "values": flat(x)} for x in inputs],
        "output_shape": list(y.shape),
        "output": flat(y),
        "r": flat(r),
        "weight_grads": [flat(g) for g in gw],
    }


def series(shape):
    """Floats drawn uniformly from [-1, 1)."""
    return RNG.uniform(-1.0, 1.0, shape).astype(np.float32)


def saved_case(name, model, inputs, directory, formats):
    """`case`, with the model also saved by Keras into `directory` in each of `formats`
    (".keras", ".weights.h5", ".h5"), files Strata must load to the same predictions."""
    c = case(name, model, inputs)
    os.makedirs(directory, exist_ok=True)
    for suffix in formats:
        path = os.path.join(directory, name + suffix)
        model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    c["files"] = [name + suffix for suffix in formats]
    return c


def embedding_mask_gap():
    x = keras.Input((7,), dtype="int32", name="tokens")
    h = L.Embedding(12, 5, mask_zero=True, name="emb")(x)
    h = L.Dense(4, activation="tanh", name="per_step")(h)  # passes the mask on
    h = L.GlobalAveragePooling1D(name="gap")(h)            # averages the unmasked steps
    y = L.Dense(3, name="out")(h)
    return case("embedding_mask_gap", keras.Model(x, y), [indices((4, 7), 12)])


def embedding_plain_flatten():
    x = keras.Input((5,), dtype="int32", name="tokens")
    h = L.Embedding(9, 3, name="emb")(x)
    h = L.Flatten(name="flat")(h)
    y = L.Dense(2, name="out")(h)
    return case("embedding_plain_flatten", keras.Model(x, y), [indices((3, 5), 9)])


def embedding_float_input():
    # No int32 Input: Keras's Embedding casts the float indices.
    x = keras.Input((6,), name="tokens")
    h = L.Embedding(10, 4, mask_zero=True, name="emb")(x)
    y = L.GlobalAveragePooling1D(name="gap")(h)
    return case("embedding_float_input", keras.Model(x, y), [indices((3, 6), 10).astype(np.float32)])


def embedding_repeated_indices():
    # The same rows read many times: the table's gradient sums them.
    x = keras.Input((8,), dtype="int32", name="tokens")
    h = L.Embedding(4, 3, name="emb")(x)
    y = L.GlobalAveragePooling1D(name="gap")(h)
    tokens = np.array([[1, 1, 1, 2, 2, 3, 0, 0], [3, 3, 3, 3, 1, 1, 2, 0]], dtype=np.int32)
    return case("embedding_repeated_indices", keras.Model(x, y), [tokens])


def masking_dense_gap():
    x = keras.Input((6, 4), name="series")
    h = L.Masking(0.0, name="mask")(x)
    h = L.Dense(5, activation="relu", name="per_step")(h)
    h = L.LayerNormalization(name="norm")(h)
    h = L.Dropout(0.0, name="drop")(h)
    h = L.GlobalAveragePooling1D(name="gap")(h)
    y = L.Dense(2, name="out")(h)
    return case("masking_dense_gap", keras.Model(x, y), [padded_sequences((4, 6, 4))])


def masking_value():
    x = keras.Input((5, 3), name="series")
    h = L.Masking(-1.0, name="mask")(x)
    y = L.GlobalAveragePooling1D(name="gap")(h)
    return case("masking_value", keras.Model(x, y), [padded_sequences((3, 5, 3), -1.0)])


def merged_masks(merge, name):
    a = keras.Input((6,), dtype="int32", name="a")
    b = keras.Input((6,), dtype="int32", name="b")
    ea = L.Embedding(8, 4, mask_zero=True, name="emb_a")(a)
    eb = L.Embedding(8, 4, mask_zero=True, name="emb_b")(b)
    h = merge(name="merge")([ea, eb])
    h = L.GlobalAveragePooling1D(name="gap")(h)
    y = L.Dense(2, name="out")(h)
    ia = indices((3, 6), 8)
    ib = indices((3, 6), 8, zero_every=2)
    ib[2, 0] = 0
    return case(name, keras.Model([a, b], y), [ia, ib])


def concatenate_steps():
    # Joined along the steps: the masked input's mask, then all 1s for the unmasked one.
    a = keras.Input((5,), dtype="int32", name="a")
    b = keras.Input((3,), dtype="int32", name="b")
    ea = L.Embedding(8, 4, mask_zero=True, name="emb_a")(a)
    eb = L.Embedding(8, 4, name="emb_b")(b)
    h = L.Concatenate(axis=1, name="merge")([ea, eb])
    y = L.GlobalAveragePooling1D(name="gap")(h)
    return case("concatenate_steps", keras.Model([a, b], y), [indices((3, 5), 8), indices((3, 3), 8)])


def masked_output_training():
    """A tagger whose per-step output carries the mask: Keras weighs its loss and metrics by it
    (apply_mask). Keras's evaluate with and without sample weights, and the weights after one
    SGD step. Keras takes a sequence output's sample weights per step only ((batch,) ones fail
    to broadcast against the (batch, steps) losses); Strata takes one per sample and applies it
    to each step, so Keras gets each sample's weight repeated over the steps."""
    x = keras.Input((5,), dtype="int32", name="tokens")
    h = L.Embedding(7, 3, mask_zero=True, name="emb")(x)
    y = L.Dense(3, activation="softmax", name="tags")(h)
    model = keras.Model(x, y)
    weights = [RNG.uniform(-0.5, 0.5, w.shape).astype(np.float32) for w in model.weights]
    model.set_weights(weights)
    tokens = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 0, 0], [6, 1, 2, 3, 4], [2, 0, 0, 0, 0]], dtype=np.int32)
    tags = RNG.integers(0, 3, (4, 5)).astype(np.float32)
    sample_weight = np.array([1.0, 0.5, 2.0, 1.5], dtype=np.float32)
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    plain = model.evaluate(tokens, tags, verbose=0, return_dict=True)
    per_step = np.repeat(sample_weight[:, None], tokens.shape[1], axis=1)
    weighted = model.evaluate(tokens, tags, sample_weight=per_step, verbose=0, return_dict=True)
    model.train_on_batch(tokens, tags, sample_weight=per_step)
    return {
        "model": json.loads(model.to_json()),
        "weights": [flat(w) for w in weights],
        "tokens": flat(tokens),
        "tags": flat(tags),
        "sample_weight": flat(sample_weight),
        "evaluate": {k: float(v) for k, v in plain.items()},
        "evaluate_weighted": {k: float(v) for k, v in weighted.items()},
        "weights_after_step": [flat(w) for w in model.get_weights()],
    }


def main():
    cases = [
        embedding_mask_gap(),
        embedding_plain_flatten(),
        embedding_float_input(),
        embedding_repeated_indices(),
        masking_dense_gap(),
        masking_value(),
        merged_masks(L.Add, "add_masks"),
        merged_masks(L.Average, "average_masks"),
        merged_masks(L.Concatenate, "concatenate_masks"),
        concatenate_steps(),
    ]
    out = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases,
           "masked_output": masked_output_training()}
    with open(os.path.join(HERE, "masking.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
