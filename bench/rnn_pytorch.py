#!/usr/bin/python3
"""PyTorch side of the recurrent benchmark: each Fashion-MNIST image as 28 steps of 28 pixels,
nn.LSTM(28, 128, batch_first) -> its last step's output -> Linear(128, 10); CrossEntropyLoss on
the logits (softmax + sparse categorical cross-entropy). Adam, lr 1e-3, batch 128, shuffled,
54000 training samples. The same model, data and settings as bench/rnn_strata.cpp.

Run it as bench/run does: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/rnn_pytorch.py (Debian's
PyTorch 1.13), and .venv-bench/bin/python bench/rnn_pytorch.py (PyTorch 2 from PyPI).
Prints `pytorch: versions ...`, `pytorch: loss ... accuracy ...` and `pytorch: X.XXXX s/epoch`.
"""

import argparse

import torch

from torch_common import load_fashion_mnist, timed_epochs, train_epoch, versions


class LstmClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 128, batch_first=True)
        self.head = torch.nn.Linear(128, 10)

    def forward(self, x):
        outputs, _ = self.lstm(x)
        return self.head(outputs[:, -1, :])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--samples", type=int, default=54000)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"pytorch: versions {versions(args.threads)}", flush=True)

    x, y = load_fashion_mnist("train", args.samples)  # (N, 28, 28): 28 steps of 28 features
    model = LstmClassifier()
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)

    train_epoch(model, loss_fn, optimizer, x, y, 128, generator)  # warm-up, as Strata's

    timed_epochs(model, loss_fn, optimizer, x, y, 128, generator, args.epochs)


if __name__ == "__main__":
    main()
