#!/usr/bin/python3
"""PyTorch side of the MLP benchmark: Keras's beginner Fashion-MNIST MLP, one epoch.

Model: Flatten, Linear(784, 128), ReLU, Dropout(0.2), Linear(128, 10); CrossEntropyLoss on the
logits (the torch equivalent of softmax + sparse categorical cross-entropy). Adam, lr 1e-3,
batch 32, shuffled, 54000 training samples (what Keras's validation_split=0.1 keeps).

Run it as bench/run does: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/mlp_pytorch.py (Debian's
PyTorch 1.13), and .venv-bench/bin/python bench/mlp_pytorch.py (PyTorch 2 from PyPI, made by
scripts/bench-venv).
Prints `pytorch: versions ...`, `pytorch: loss ... accuracy ...` and `pytorch: X.XXXX s/epoch`.
"""

import argparse

import torch

from torch_common import load_fashion_mnist, timed_epochs, train_epoch, versions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--warmup-steps", type=int, default=200)
    parser.add_argument("--samples", type=int, default=54000)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"pytorch: versions {versions(args.threads)}", flush=True)

    x, y = load_fashion_mnist("train", args.samples)  # (N, 28, 28), preloaded

    model = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(784, 128),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(128, 10),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)

    # Warm-up: a few hundred steps on the same data (allocator, thread pool, first-touch).
    warm = min(args.warmup_steps * 32, x.shape[0])
    train_epoch(model, loss_fn, optimizer, x[:warm], y[:warm], 32, generator)

    timed_epochs(model, loss_fn, optimizer, x, y, 32, generator, args.epochs)


if __name__ == "__main__":
    main()
