#!/usr/bin/python3
"""PyTorch side of the CNN benchmark: Keras's "simple MNIST convnet" on Fashion-MNIST.

Model (NCHW, as PyTorch prefers): Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Conv2d(32, 64, 3), ReLU,
MaxPool2d(2), Flatten, Dropout(0.5), Linear(1600, 10); CrossEntropyLoss on the logits (the torch
equivalent of softmax + sparse categorical cross-entropy). Adam, lr 1e-3, batch 128, shuffled,
54000 training samples (what Keras's validation_split=0.1 keeps). Data are preloaded tensors.

A short warm-up (full batches and the epoch's smaller last batch), then the timed epoch(s); then
predict on the 10,000 test images (eval mode, torch.no_grad, batch 128, softmax outputs as Keras's
predict returns): one untimed pass, then one timed pass.

Run it as bench/run does: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/cnn_pytorch.py
Prints `pytorch: X.XXXX s/epoch` and `pytorch predict: X.XXXX s`.
"""

import argparse
import time

import torch

from torch_common import load_fashion_mnist, train_epoch

BATCH = 128


def load(kind, samples=None):
    x, y = load_fashion_mnist(kind, samples)
    return x.unsqueeze(1).contiguous(), y  # (N, 1, 28, 28): NCHW, as PyTorch prefers


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return torch.cat([torch.softmax(model(x[s:s + BATCH]), dim=1) for s in range(0, x.shape[0], BATCH)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--warmup-steps", type=int, default=20)
    parser.add_argument("--samples", type=int, default=54000)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    x, y = load("train", args.samples)
    x_test, y_test = load("t10k")

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

    # Warm-up: full batches and one batch of the epoch's last size (allocator, oneDNN primitives).
    last = x.shape[0] % BATCH or BATCH
    warm = min(args.warmup_steps * BATCH + last, x.shape[0])
    train_epoch(model, loss_fn, optimizer, x[:warm], y[:warm], BATCH, generator)

    times = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        loss, acc = train_epoch(model, loss_fn, optimizer, x, y, BATCH, generator)
        times.append(time.perf_counter() - t0)
    seconds = sum(times) / len(times)

    predict(model, x_test)  # untimed: inference primitives, eval-mode paths
    t0 = time.perf_counter()
    probs = predict(model, x_test)
    predict_s = time.perf_counter() - t0
    test_acc = float((probs.argmax(dim=1) == y_test).float().mean())

    print(f"pytorch: loss {loss:.4f} accuracy {acc:.4f} test accuracy {test_acc:.4f}")
    print(f"pytorch: {seconds:.4f} s/epoch")
    print(f"pytorch predict: {predict_s:.4f} s")


if __name__ == "__main__":
    main()
