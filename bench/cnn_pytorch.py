#!/usr/bin/python3
"""PyTorch side of the CNN benchmark: Keras's "simple MNIST convnet" on Fashion-MNIST.

Model (NCHW, as PyTorch prefers): Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Conv2d(32, 64, 3), ReLU,
MaxPool2d(2), Flatten, Dropout(0.5), Linear(1600, 10); CrossEntropyLoss on the logits (the torch
equivalent of softmax + sparse categorical cross-entropy). Adam, lr 1e-3, batch 128, shuffled,
54000 training samples (what Keras's validation_split=0.1 keeps). Data are preloaded tensors.

A short warm-up (full batches and the epoch's smaller last batch), then the timed epoch(s); then
predict on the 10,000 test images (the first --test-samples) at each batch size of
--predict-batches (eval mode, torch.inference_mode, softmax outputs as Keras's predict returns):
one untimed pass, then one timed pass, per batch size.

--compile runs the model through torch.compile (PyTorch 2; the optimizer step stays eager): the
warm-up and the untimed predict passes compile it for each batch size they meet, so the timed runs
see compiled code only.

Run it as bench/run does: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/cnn_pytorch.py (Debian's
PyTorch 1.13), and .venv-bench/bin/python bench/cnn_pytorch.py [--compile] (PyTorch 2 from PyPI,
made by scripts/bench-venv).
Prints `pytorch: versions ...`, `pytorch: X.XXXX s/epoch`, `pytorch predict <batch>: X.XXXX s`
for each batch size and `pytorch predict: X.XXXX s` (batch 128, or the first batch size without it).
"""

import argparse
import time

import torch

import fashion_mnist_files
from torch_common import load_fashion_mnist, train_epoch, versions

BATCH = 128


def load(kind, samples=None):
    x, y = load_fashion_mnist(kind, samples)
    return x.unsqueeze(1).contiguous(), y  # (N, 1, 28, 28): NCHW, as PyTorch prefers


def predict(model, x, batch_size):
    model.eval()
    with torch.inference_mode():
        return torch.cat([torch.softmax(model(x[s:s + batch_size]), dim=1)
                          for s in range(0, x.shape[0], batch_size)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--warmup-steps", type=int, default=20)
    parser.add_argument("--samples", type=int, default=54000)
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--predict-batches", default=str(BATCH), help="comma-separated batch sizes")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch 2)")
    args = parser.parse_args()
    batches = [int(b) for b in args.predict_batches.split(",")]
    if min(batches) <= 0:
        parser.error(f"--predict-batches expects positive integers, not {args.predict_batches}")
    if args.compile and not hasattr(torch, "compile"):
        raise SystemExit(f"--compile needs PyTorch 2 (torch.compile); this is torch {torch.__version__}")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"pytorch: versions {versions(args.threads, args.compile)}", flush=True)

    x, y = load("train", args.samples)
    x_test, y_test = load("t10k", args.test_samples)

    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(1600, 10),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    net = torch.compile(model) if args.compile else model  # shares model's parameters

    # Warm-up: full batches and one batch of the epoch's last size (allocator, oneDNN primitives,
    # torch.compile's graphs).
    last = x.shape[0] % BATCH or BATCH
    warm = min(args.warmup_steps * BATCH + last, x.shape[0])
    train_epoch(net, loss_fn, optimizer, x[:warm], y[:warm], BATCH, generator)

    times = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        loss, acc = train_epoch(net, loss_fn, optimizer, x, y, BATCH, generator)
        times.append(time.perf_counter() - t0)
    seconds = sum(times) / len(times)

    predict_s = []
    probs = None
    for i, batch in enumerate(batches):
        predict(net, x_test, batch)  # untimed: inference primitives, eval-mode paths, compilation
        t0 = time.perf_counter()
        p = predict(net, x_test, batch)
        predict_s.append(time.perf_counter() - t0)
        if batch == BATCH or i == 0:
            probs = p
    test_acc = float((probs.argmax(dim=1) == y_test).float().mean())

    print(f"pytorch: loss {loss:.4f} accuracy {acc:.4f} test accuracy {test_acc:.4f}")
    print(f"pytorch: {seconds:.4f} s/epoch")
    fashion_mnist_files.print_predict_times("pytorch", batches, predict_s, BATCH)


if __name__ == "__main__":
    main()
