#!/usr/bin/python3
"""PyTorch side of the Transformer benchmark: each Fashion-MNIST image cut into 49 patches of 4x4
pixels, embedded by Conv2d(1, 64, 4, stride 4), one nn.TransformerEncoderLayer(d_model 64, 4
heads, dim_feedforward 128, dropout 0, relu, post-norm, batch_first), the mean over the patches,
Linear(64, 10); CrossEntropyLoss on the logits. Adam, lr 1e-3, batch 128, shuffled, 54000
training samples. The same model, data and settings as bench/transformer_strata.cpp.

Run it as bench/run does: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/transformer_pytorch.py
(Debian's PyTorch 1.13), and .venv-bench/bin/python bench/transformer_pytorch.py (PyTorch 2).
Prints `pytorch: versions ...`, `pytorch: loss ... accuracy ...` and `pytorch: X.XXXX s/epoch`.
"""

import argparse

import torch

from torch_common import load_fashion_mnist, timed_epochs, train_epoch, versions


class PatchTransformer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.patches = torch.nn.Conv2d(1, 64, 4, stride=4)
        self.block = torch.nn.TransformerEncoderLayer(64, 4, dim_feedforward=128, dropout=0.0, batch_first=True)
        self.head = torch.nn.Linear(64, 10)

    def forward(self, x):
        h = self.patches(x.unsqueeze(1))       # (N, 64, 7, 7)
        h = h.flatten(2).transpose(1, 2)       # (N, 49, 64)
        return self.head(self.block(h).mean(dim=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (mean is printed)")
    parser.add_argument("--samples", type=int, default=54000)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"pytorch: versions {versions(args.threads)}", flush=True)

    x, y = load_fashion_mnist("train", args.samples)
    model = PatchTransformer()
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)

    train_epoch(model, loss_fn, optimizer, x, y, 128, generator)  # warm-up, as Strata's

    timed_epochs(model, loss_fn, optimizer, x, y, 128, generator, args.epochs)


if __name__ == "__main__":
    main()
