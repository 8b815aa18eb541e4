"""Keras 3 side of the CNN benchmark: Keras's "simple MNIST convnet" on Fashion-MNIST, the same
model, data and settings as bench/cnn_strata.cpp and bench/cnn_pytorch.py.

Model (NHWC, Keras's layout): Input((28, 28, 1)), Conv2D(32, 3, relu), MaxPooling2D(2),
Conv2D(64, 3, relu), MaxPooling2D(2), Flatten, Dropout(0.5), Dense(10, softmax); sparse
categorical cross-entropy, Adam (lr 1e-3), accuracy metric; batch 128, 54000 training samples
(what validation_split=0.1 keeps), model.fit(verbose=0) with Keras's default shuffle.

A short untimed warm-up fit (full batches and one batch of the epoch's last size, as the other
sides do), then the timed epoch(s), timed whole; then model.predict on the 10,000 test images
(the first --test-samples) at each batch size of --predict-batches: one untimed pass (tracing,
compilation for that batch and the last one's size), then one timed pass.

The backend is KERAS_BACKEND's (jax or tensorflow); --jit-compile / --no-jit-compile set
compile(jit_compile=...), Keras's "auto" when neither is given. Run it as bench/run does, in the
bench's venv:

    KERAS_BACKEND=tensorflow .venv-bench/bin/python bench/cnn_keras.py --threads 2 --jit-compile \
        --predict-batches 32,128,1024

Prints `keras: versions ...`, `keras: X.XXXX s/epoch`, `keras predict <batch>: X.XXXX s` for each
batch size and `keras predict: X.XXXX s` (batch 128, or the first batch size without it).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist_files  # noqa: E402
import keras_common  # noqa: E402

BATCH = 128


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--warmup-steps", type=int, default=20)
    parser.add_argument("--samples", type=int, default=54000)
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--predict-batches", default="128", help="comma-separated batch sizes")
    parser.add_argument("--jit-compile", action=argparse.BooleanOptionalAction, default=None,
                        help="compile(jit_compile=...); Keras's 'auto' when not given")
    args = parser.parse_args()
    batches = keras_common.parse_batches(args.predict_batches)

    threads_said = keras_common.configure_threads(args.threads)
    import keras  # noqa: E402  (after the thread settings)

    keras_common.finish_thread_setup(args.threads)
    keras_common.seed(0)

    x, y = keras_common.load_fashion_mnist("train", args.samples)
    x_test, y_test = keras_common.load_fashion_mnist("t10k", args.test_samples)
    x, x_test = x[..., None], x_test[..., None]  # (N, 28, 28, 1): NHWC

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile="auto" if args.jit_compile is None else args.jit_compile)
    print(f"keras: versions {keras_common.versions(model.jit_compile)}; {threads_said}", flush=True)

    # Warm-up: full batches and one batch of the epoch's last size (tracing, compilation, pages).
    last = x.shape[0] % BATCH or BATCH
    warm = min(args.warmup_steps * BATCH + last, x.shape[0])
    model.fit(x[:warm], y[:warm], batch_size=BATCH, epochs=1, verbose=0)

    seconds, loss, acc = keras_common.time_fit(model, x, y, BATCH, args.epochs)

    predict_s, probs = keras_common.time_predict(model, x_test, batches, BATCH)
    test_acc = float((probs.argmax(axis=1) == y_test).mean())

    print(f"keras: loss {loss:.4f} accuracy {acc:.4f} test accuracy {test_acc:.4f}")
    print(f"keras: {seconds:.4f} s/epoch")
    fashion_mnist_files.print_predict_times("keras", batches, predict_s, BATCH)


if __name__ == "__main__":
    main()
