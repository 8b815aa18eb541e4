"""What the PyTorch sides of the benchmarks share: reading Fashion-MNIST's IDX files as Strata
does, one training epoch with the running loss and accuracy Keras's progress bar keeps, and the
versions line. They run on Debian's PyTorch 1.13 (/usr/bin/python3) and on PyTorch 2 from PyPI
(the bench's venv, scripts/bench-venv) alike."""

import sys
import time

import numpy as np
import torch

import fashion_mnist_files



def load_fashion_mnist(kind, samples=None):
    """The first `samples` images of `kind` ("train" or "t10k") scaled to [0, 1] as an
    (N, 28, 28) float tensor, and their labels as int64."""
    x, y = fashion_mnist_files.load(kind, samples)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


def train_epoch(model, loss_fn, optimizer, x, y, batch_size, generator):
    """One shuffled epoch; returns the mean loss and accuracy over it."""
    model.train()
    n = x.shape[0]
    perm = torch.randperm(n, generator=generator)
    total_loss = torch.zeros(())
    correct = torch.zeros((), dtype=torch.int64)
    for start in range(0, n, batch_size):
        idx = perm[start:start + batch_size]
        xb = x[idx]
        yb = y[idx]
        optimizer.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        optimizer.step()
        # Keras shows running loss and accuracy; keep the same (cheap) bookkeeping.
        with torch.no_grad():
            total_loss += loss.detach() * idx.shape[0]
            correct += (logits.argmax(dim=1) == yb).sum()
    return float(total_loss) / n, float(correct) / n


def timed_epochs(model, loss_fn, optimizer, x, y, batch_size, generator, epochs):
    """`epochs` timed epochs after the caller's warm-up; prints the lines bench/run reads:
    `pytorch: loss L accuracy A` and `pytorch: X.XXXX s/epoch` (the mean)."""
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss, acc = train_epoch(model, loss_fn, optimizer, x, y, batch_size, generator)
        times.append(time.perf_counter() - t0)
    print(f"pytorch: loss {loss:.4f} accuracy {acc:.4f}")
    print(f"pytorch: {sum(times) / len(times):.4f} s/epoch")


def versions(threads, compiled=False):
    """`torch 2.x (Python 3.11, 2 threads)` for the versions line."""
    python = ".".join(map(str, sys.version_info[:3]))
    how = ", torch.compile" if compiled else ", eager"
    return f"torch {torch.__version__} (Python {python}, {threads} threads{how})"
