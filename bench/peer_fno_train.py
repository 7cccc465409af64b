#!/usr/bin/env python3
"""Python peer of pdesym's FNO-1d training step (a benchmark, not a dependency of pdesym).

The same architecture as surrogates::Fno1d in PyTorch 1.13 written the usual way (the reference FNO of Li et al.
2021: complex einsum over the kept modes into a zero-filled spectrum, irfft, Conv1d 1x1 pointwise layers):
input [B, tw, nx] plus dx and dt as two constant channels, lift tw + 2 -> width, `layers` Fourier layers
gelu(spectral(x) + conv1x1(x)) (no activation after the last), projection width -> 128 -> tw with GELU.
Training step: MSE loss averaged over the window and the batch, backward, AdamW (lr 1e-4, weight decay 1e-2),
as pdesym's train() on one rank. Data: random normal windows (the cost of a step does not depend on the values).

Prints one line: samples/s over `--steps` timed optimizer steps after `--warmup` untimed ones, from wall-clock
time and from this process's CPU time (on a shared machine the latter leaves out time other jobs held the core).
    /usr/bin/python3 bench/peer_fno_train.py [--threads 1] [--width 256] [--modes 32] [--layers 5]
                                             [--batch-size 16] [--nx 256] [--tw 20] [--steps 4] [--warmup 1]
"""
import argparse
import time

import torch
import torch.nn.functional as F


class SpectralConv1d(torch.nn.Module):
    def __init__(self, cin, cout, modes):
        super().__init__()
        self.modes = modes
        self.cout = cout
        scale = 1.0 / (cin * cout)
        self.weight = torch.nn.Parameter(scale * torch.rand(cin, cout, modes, dtype=torch.cfloat))

    def forward(self, x):
        b, nx = x.shape[0], x.shape[-1]
        xf = torch.fft.rfft(x)
        out = torch.zeros(b, self.cout, nx // 2 + 1, dtype=torch.cfloat)
        out[:, :, :self.modes] = torch.einsum("bix,iox->box", xf[:, :, :self.modes], self.weight)
        return torch.fft.irfft(out, n=nx)


class Fno1d(torch.nn.Module):
    def __init__(self, tw, width, modes, layers, proj_hidden=128):
        super().__init__()
        self.lift = torch.nn.Conv1d(tw + 2, width, 1)
        self.spectral = torch.nn.ModuleList(SpectralConv1d(width, width, modes) for _ in range(layers))
        self.pointwise = torch.nn.ModuleList(torch.nn.Conv1d(width, width, 1) for _ in range(layers))
        self.proj1 = torch.nn.Conv1d(width, proj_hidden, 1)
        self.proj2 = torch.nn.Conv1d(proj_hidden, tw, 1)

    def forward(self, u, dx, dt):
        b, _, nx = u.shape
        x = torch.cat([u, dx.view(b, 1, 1).expand(b, 1, nx), dt.view(b, 1, 1).expand(b, 1, nx)], 1)
        x = self.lift(x)
        n = len(self.spectral)
        for i, (s, p) in enumerate(zip(self.spectral, self.pointwise)):
            x = s(x) + p(x)
            if i + 1 < n:
                x = F.gelu(x)
        return self.proj2(F.gelu(self.proj1(x)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--modes", type=int, default=32)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--nx", type=int, default=256)
    ap.add_argument("--tw", type=int, default=20)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Fno1d(a.tw, a.width, a.modes, a.layers)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-2)
    B = a.batch_size
    x = torch.randn(B, a.tw, a.nx)
    y = torch.randn(B, a.tw, a.nx)
    dx = torch.full((B,), 0.5)
    dt = torch.full((B,), 0.72)

    def step():
        opt.zero_grad()
        loss = (model(x, dx, dt) - y).pow(2).mean((1, 2)).sum() / B
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        step()
    sec, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("%.2f %.2f" % (a.steps * B / sec, a.steps * B / cpu))


if __name__ == "__main__":
    main()
