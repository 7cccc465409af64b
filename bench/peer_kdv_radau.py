#!/usr/bin/env python3
"""Generation: pdesym's KdV trajectories vs LPSDA's method on the same initial conditions (a benchmark, not a
dependency of pdesym).

Runs `pdesym generate` for N train trajectories of each config (CPU seconds of the child process, user + sys,
process start and HDF5 output included, divided by N; several configs must draw the same initial conditions, e.g.
configs/kdv.yaml and its variants, which is checked), with --rtols R... also each config with solver.rtol = R
(a temporary copy of the config; solver.dt removed), with --measure also every variant with
solver.fft_planning: measure (name suffix +measure), reads the files, and integrates the first file's stored
u(t = 0) once with LPSDA's method: scipy.integrate.solve_ivp(method="Radau", rtol=atol=1e-9) on the
pseudo-spectral right-hand side u_t = -alpha u u_x - beta u_xxx (spectral derivatives, no dealiasing), output at
the stored times (CPU seconds per trajectory with time.process_time). Prints both means, their ratio and the
largest relative difference between the two solutions (max over stored times of max|du| / max|u|).
With --ref-rtol R (e.g. 1e-12) it also integrates the first --ref-n trajectories with Radau at rtol = atol = R and
prints the error of LPSDA's method against that reference (the accuracy to match), untimed.

    /usr/bin/python3 bench/peer_kdv_radau.py PDESYM_CLI [--n 9] [--config configs/kdv.yaml ...] [--rtols R ...]
                                              [--tmp DIR]
Prints one line `seconds NAME ours startup radau` per variant (NAME: the config's file name, `@rtol` appended for
the --rtols variants) for run_bench_ratios.sh.
"""
import argparse
import os
import resource
import subprocess
import tempfile
import time

import h5py
import numpy as np
import yaml
from scipy.integrate import solve_ivp


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--n", type=int, default=9)
    ap.add_argument("--config", nargs="+", default=["configs/kdv.yaml"])
    ap.add_argument("--rtols", nargs="*", type=float, default=[])
    ap.add_argument("--measure", action="store_true", help="also each variant with solver.fft_planning: measure")
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--ref-rtol", type=float, default=0)
    ap.add_argument("--ref-n", type=int, default=2)
    a = ap.parse_args()
    tmp = a.tmp or tempfile.mkdtemp(prefix="pdesym_gen_")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    variants = []
    for c in a.config:
        for r in [None] + a.rtols:
            for measure in [False, True] if a.measure else [False]:
                cfg = yaml.safe_load(open(c))
                name = os.path.basename(c)
                if r is not None:
                    cfg["solver"].pop("dt", None)
                    cfg["solver"]["rtol"] = r
                    name += "@%g" % r
                if measure:
                    cfg["solver"]["fft_planning"] = "measure"
                    name += "+measure"
                path = os.path.join(tmp, name + ".yaml")
                with open(path, "w") as f:
                    yaml.safe_dump(cfg, f)
                variants.append((name, path))
    ours, data = {}, {}
    for name, cfg in variants:
        out = os.path.join(tmp, "kdv_peer.h5")
        c0 = children_cpu()
        subprocess.run([a.cli, "generate", "--config", cfg, "--out", out, "--train", str(a.n), "--valid", "0",
                        "--test", "0", "--no-progress"], check=True, env=env, stdout=subprocess.DEVNULL)
        ours[name] = (children_cpu() - c0) / a.n
        with h5py.File(out, "r") as f:
            g = f["train"]
            key = [k for k in g.keys() if k.startswith("pde_")][0]
            data[name] = (g[key][...], g["x"][...], g["t"][...])
        os.remove(out)
    # Process start-up alone (MPI, HDF5; LibTorch is a plugin the generate command does not load): `pdesym --version`.
    c1 = children_cpu()
    subprocess.run([a.cli, "--version"], check=True, env=env, stdout=subprocess.DEVNULL)
    startup = children_cpu() - c1
    u, x, t = data[variants[0][0]]
    for name, _ in variants:
        assert np.array_equal(data[name][0][:, 0], u[:, 0]) and np.array_equal(data[name][2], t), \
            name + ": not the initial conditions and times of " + variants[0][0]
    alpha = beta = 1.0  # configs/kdv.yaml
    secs, sols, self_err = [], [], []
    for i in range(a.n):
        nx = u.shape[2]
        L = (x[i, 1] - x[i, 0]) * nx
        k = 2 * np.pi * np.fft.rfftfreq(nx, d=L / nx)

        def rhs(_, v):
            vh = np.fft.rfft(v)
            vx = np.fft.irfft(1j * k * vh, n=nx)
            vxxx = np.fft.irfft(-1j * k ** 3 * vh, n=nx)
            return -alpha * v * vx - beta * vxxx

        c = time.process_time()
        sol = solve_ivp(rhs, (t[i, 0], t[i, -1]), u[i, 0], method="Radau", t_eval=t[i], rtol=1e-9, atol=1e-9)
        secs.append(time.process_time() - c)
        ref = sol.y.T
        sols.append(ref)
        if a.ref_rtol > 0 and i < a.ref_n:
            tight = solve_ivp(rhs, (t[i, 0], t[i, -1]), u[i, 0], method="Radau", t_eval=t[i], rtol=a.ref_rtol,
                              atol=a.ref_rtol).y.T
            self_err.append(np.max(np.abs(ref - tight)) / np.max(np.abs(tight)))
    peer = float(np.mean(secs))
    for name, _ in variants:
        uu = data[name][0]
        diff = max(np.max(np.abs(sols[i] - uu[i])) / np.max(np.abs(uu[i])) for i in range(a.n))
        print("%s: pdesym %.4f s/trajectory (CPU), scipy Radau %.3f s/trajectory (CPU, spread %.3f-%.3f), "
              "ratio %.1fx, max relative difference %.1e over %d trajectories"
              % (name, ours[name], peer, min(secs), max(secs), peer / ours[name], diff, a.n))
        net = ours[name] - startup / a.n
        print("  without process start-up (%.2f s CPU, `pdesym --version`): pdesym %.4f s/trajectory, ratio %.1fx"
              % (startup, net, peer / net))
    for name, _ in variants:
        print("seconds %s %.6f %.6f %.6f  (pdesym s/trajectory, start-up s, Radau s/trajectory: for "
              "run_bench_ratios.sh)" % (name, ours[name], startup, peer))
    if self_err:
        print("LPSDA's method (Radau rtol 1e-9) against Radau rtol %g: max relative error %.1e, per trajectory %s"
              % (a.ref_rtol, max(self_err), " ".join("%.1e" % e for e in self_err)))


if __name__ == "__main__":
    main()
