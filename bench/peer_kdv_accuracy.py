#!/usr/bin/env python3
"""Accuracy of LPSDA's method on the cases written by `bench_solvers --pde-check CONFIG --dump DIR` (a benchmark,
not a dependency of pdesym).

For each case (u0 on the config's grid, the stored times t, and a converged reference of the PDE on the stored
grid: nx = 4x, dealiased, error-controlled), integrates u0 as LPSDA does: scipy.integrate.solve_ivp(method="Radau",
rtol=atol=1e-9) on the pseudo-spectral KdV right-hand side u_t = -u u_x - u_xxx (alpha = beta = 1, spectral
derivatives, no dealiasing), as bench/peer_kdv_radau.py. Prints its error against the PDE reference
(max_n |u - u_ref|_inf / max_n |u_ref|_inf, the measure of bench_solvers), its CPU seconds per trajectory, and with
--ref-rtol R its time-integration error alone against Radau at rtol = atol = R on the first --ref-n cases.

    /usr/bin/python3 bench/peer_kdv_accuracy.py DIR [--ref-rtol 1e-12 --ref-n 3]
"""
import argparse
import glob
import os
import time

import numpy as np
from scipy.integrate import solve_ivp


def rel_err(u, ref):
    return float(np.max(np.abs(u - ref)) / np.max(np.abs(ref)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--ref-rtol", type=float, default=0)
    ap.add_argument("--ref-n", type=int, default=3)
    a = ap.parse_args()
    cases = sorted(glob.glob(os.path.join(a.dir, "case*.meta")), key=lambda p: int(p.split("case")[-1][:-5]))
    secs, pde, tim = [], [], []
    for k, meta in enumerate(cases):
        stem = meta[:-5]
        L, nx, nt, split, index = np.fromfile(meta)
        nx, nt = int(nx), int(nt)
        u0 = np.fromfile(stem + ".u0")
        t = np.fromfile(stem + ".t")
        ref = np.fromfile(stem + ".ref").reshape(nt, nx)
        kk = 2 * np.pi * np.fft.rfftfreq(nx, d=L / nx)

        def rhs(_, v):
            vh = np.fft.rfft(v)
            vx = np.fft.irfft(1j * kk * vh, n=nx)
            vxxx = np.fft.irfft(-1j * kk ** 3 * vh, n=nx)
            return -v * vx - vxxx

        c = time.process_time()
        u = solve_ivp(rhs, (t[0], t[-1]), u0, method="Radau", t_eval=t, rtol=a.rtol, atol=a.rtol).y.T
        secs.append(time.process_time() - c)
        pde.append(rel_err(u, ref))
        line = "case %d (%s/%d): Radau rtol %g: PDE error %.3e, %.2f s CPU" % (
            k, ["train", "valid", "test"][int(split)], int(index), a.rtol, pde[-1], secs[-1])
        if a.ref_rtol > 0 and k < a.ref_n:
            tight = solve_ivp(rhs, (t[0], t[-1]), u0, method="Radau", t_eval=t, rtol=a.ref_rtol, atol=a.ref_rtol).y.T
            tim.append(rel_err(u, tight))
            line += ", time error vs rtol %g: %.3e (that reference vs the PDE: %.3e)" % (
                a.ref_rtol, tim[-1], rel_err(tight, ref))
        print(line, flush=True)
    print("Radau rtol %g on %d cases: PDE error max %.3e mean %.3e; CPU s/trajectory mean %.3f (min %.3f, max %.3f)"
          % (a.rtol, len(cases), max(pde), float(np.mean(pde)), float(np.mean(secs)), min(secs), max(secs)))
    if tim:
        print("  time-integration error alone (first %d cases): max %.3e mean %.3e" % (len(tim), max(tim),
                                                                                       float(np.mean(tim))))


if __name__ == "__main__":
    main()
