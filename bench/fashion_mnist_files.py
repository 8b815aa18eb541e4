"""Fashion-MNIST as every Python side of the benchmarks reads it: Debian's dataset-fashion-mnist
files (never a download), and the lines each side prints for its predict timings."""

import gzip
import os

import numpy as np

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Reads one gzipped IDX file (images: magic 2051, labels: magic 2049) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load(kind, samples=None):
    """The first `samples` images of `kind` ("train" or "t10k") scaled to [0, 1] as an
    (N, 28, 28) float32 array, and their labels as uint8."""
    x = read_idx(os.path.join(DATA_DIR, f"{kind}-images-idx3-ubyte.gz"))[:samples]
    y = read_idx(os.path.join(DATA_DIR, f"{kind}-labels-idx1-ubyte.gz"))[:samples]
    return x.astype(np.float32) / 255.0, y


def print_predict_times(side, batches, seconds, main_batch):
    """`<side> predict <batch>: X s` per batch size, then `<side> predict: X s` for main_batch
    (or the first size when it was not timed)."""
    for batch, s in zip(batches, seconds):
        print(f"{side} predict {batch}: {s:.4f} s")
    print(f"{side} predict: {seconds[batches.index(main_batch) if main_batch in batches else 0]:.4f} s")
