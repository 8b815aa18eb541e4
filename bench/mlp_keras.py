"""Keras 3 side of the MLP benchmark: Keras's beginner Fashion-MNIST MLP, the same model, data and
settings as bench/mlp_strata.cpp and bench/mlp_pytorch.py.

Model: Input((28, 28)), Flatten, Dense(128, relu), Dropout(0.2), Dense(10, softmax); sparse
categorical cross-entropy, Adam (lr 1e-3), accuracy metric; batch 32, 54000 training samples
(what validation_split=0.1 keeps), model.fit(verbose=0) with Keras's default shuffle. One untimed
warm-up epoch (tracing and compilation, pages), then the timed epoch(s), timed whole.

The backend is KERAS_BACKEND's (jax or tensorflow); --jit-compile / --no-jit-compile set
compile(jit_compile=...), Keras's "auto" when neither is given (XLA on JAX; on TensorFlow,
XLA when every layer supports it). Run it as bench/run does, in the bench's venv:

    KERAS_BACKEND=jax .venv-bench/bin/python bench/mlp_keras.py --threads 2
    KERAS_BACKEND=tensorflow .venv-bench/bin/python bench/mlp_keras.py --threads 2 --no-jit-compile

Prints `keras: versions ...`, `keras: loss ... accuracy ...` and `keras: X.XXXX s/epoch`.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_common  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--samples", type=int, default=54000)
    parser.add_argument("--jit-compile", action=argparse.BooleanOptionalAction, default=None,
                        help="compile(jit_compile=...); Keras's 'auto' when not given")
    args = parser.parse_args()

    threads_said = keras_common.configure_threads(args.threads)
    import keras  # noqa: E402  (after the thread settings)

    keras_common.finish_thread_setup(args.threads)
    keras_common.seed(0)

    x, y = keras_common.load_fashion_mnist("train", args.samples)  # (N, 28, 28), preloaded

    model = keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile="auto" if args.jit_compile is None else args.jit_compile)
    print(f"keras: versions {keras_common.versions(model.jit_compile)}; {threads_said}", flush=True)

    model.fit(x, y, batch_size=32, epochs=1, verbose=0)  # warm-up epoch: tracing, compilation, pages

    seconds, loss, acc = keras_common.time_fit(model, x, y, 32, args.epochs)
    print(f"keras: loss {loss:.4f} accuracy {acc:.4f}")
    print(f"keras: {seconds:.4f} s/epoch")


if __name__ == "__main__":
    main()
