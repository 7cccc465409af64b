#!/usr/bin/env python3
"""Summarises the runs of bench/run_results_surrogates.sh in OUT_DIR as Markdown tables.

    python3 bench/summarise_surrogates.py OUT_DIR [--published]

One row per (equation, N, augmentation, validation horizon): test NMSE over 100 (or the runs' TEST_STEPS) and 20
rollout steps and the accumulated MSE over 100 (TEST_STEPS) steps, as the mean over the seeds found
(eval_<eq>_<N>_<aug>[_s<seed>][_v<steps>].json), with the individual seeds' values in brackets when there are
several, and each seed's best epoch (a run is converged when its best validation epoch comes before its last).
A second table puts each augmentation against none on the same data: the change of the seeds' mean NMSE, each
seed's change against none with the same seed, and in how many of those seeds the augmented model is lower.
--published adds the published N = 10 test NMSE (LieNLSD's table: none, ground-truth symmetries, LieNLSD's
discovered ones; FNO, 20-step history and future; its definition and data differ, bench/RESULTS-surrogates.md).
"""
import glob
import json
import os
import re
import sys
from collections import defaultdict

args = [a for a in sys.argv[1:] if a != "--published"]
out = args[0] if args else "."
published = "--published" in sys.argv[1:]
# (equation, augmentation) -> published test NMSE at N = 10; the discovered column is LieNLSD's (Ko et al.'s
# learned generators: KdV 0.1509, Burgers 1.93e-4, heat 0.0733).
PUBLISHED = {("kdv", "none"): 0.1743, ("kdv", "known"): 0.1475, ("kdv", "discovered"): 0.1421,
             ("burgers", "none"): 2.33e-4, ("burgers", "known"): 1.75e-4, ("burgers", "discovered"): 1.80e-4,
             ("heat", "none"): 0.1075, ("heat", "known"): 0.0601, ("heat", "discovered"): 0.0599}
pat = re.compile(r"eval_(?P<eq>[a-z]+)_(?P<n>\d+)_(?P<aug>none|known|discovered)(?:_s(?P<seed>\d+))?(?:_v(?P<v>\d+))?\.json$")
runs = defaultdict(list)
for path in sorted(glob.glob(os.path.join(out, "eval_*.json"))):
    m = pat.search(os.path.basename(path))
    if not m:
        continue
    tag = os.path.basename(path)[len("eval_"):-len(".json")]
    e20 = os.path.join(out, f"eval20_{tag}.json")
    tr = os.path.join(out, f"train_{tag}.json")
    if not (os.path.exists(e20) and os.path.exists(tr)):
        continue
    e, e2, t = (json.load(open(p)) for p in (path, e20, tr))
    key = (m["eq"], int(m["n"]), m["aug"], int(m["v"] or 100))
    runs[key].append({"seed": int(m["seed"] or 1), "nmse": e["nmse"], "acc": e["accumulated_mse"],
                      "nmse20": e2["nmse"], "epochs": t["epochs_completed"], "best": t["best_epoch"],
                      "steps": e.get("rollout_steps", 100)})

def cell(vals, fmt="{:.3g}"):
    mean = sum(vals) / len(vals)
    s = fmt.format(mean)
    if len(vals) > 1:
        s += " (" + ", ".join(fmt.format(v) for v in vals) + ")"
    return s

order = {"none": 0, "known": 1, "discovered": 2}
# The long test rollout is 100 steps unless the runs used TEST_STEPS (e.g. 60 on configs/lienlsd/heat.yaml).
steps = "/".join(str(v) for v in sorted({r["steps"] for rs in runs.values() for r in rs})) or "100"
print("| equation | N train | augmentation | validation steps | seeds | epochs | best epochs | test NMSE, 20 steps | "
      f"test NMSE, {steps} steps | test accumulated MSE, {steps} steps |" + (" published NMSE (N = 10) |" if published else ""))
print("|---|---|---|---|---|---|---|---|---|---|" + ("---|" if published else ""))
for key in sorted(runs, key=lambda k: (k[0], k[3], k[1], order[k[2]])):
    rs = sorted(runs[key], key=lambda r: r["seed"])
    eq, n, aug, v = key
    pub = PUBLISHED.get((eq, aug)) if n == 10 else None
    best = ", ".join(str(r["best"]) for r in rs)
    print(f"| {eq} | {n} | {aug} | {v} | {len(rs)} | {'/'.join(str(r['epochs']) for r in rs)} | {best} | "
          f"{cell([r['nmse20'] for r in rs])} | {cell([r['nmse'] for r in rs])} | {cell([r['acc'] for r in rs])} |"
          + (f" {pub:.4g} |" if published and pub is not None else (" |" if published else "")))

# Gains against none: mean over the seeds found, and per seed for the seeds both runs have (same data, same
# seed: the only difference is the augmentation).
def pct(a, b):
    return f"{100.0 * (a / b - 1.0):+.0f}%"

rows = []
for key in sorted(runs, key=lambda k: (k[0], k[3], k[1], order[k[2]])):
    eq, n, aug, v = key
    base = runs.get((eq, n, "none", v))
    if aug == "none" or not base:
        continue
    by_seed = {r["seed"]: r for r in base}
    rs = sorted(runs[key], key=lambda r: r["seed"])
    paired = [(r, by_seed[r["seed"]]) for r in rs if r["seed"] in by_seed]
    cols = []
    for metric in ("nmse20", "nmse"):
        mean_a = sum(r[metric] for r in rs) / len(rs)
        mean_b = sum(r[metric] for r in base) / len(base)
        per = ", ".join(pct(a[metric], b[metric]) for a, b in paired)
        lower = sum(1 for a, b in paired if a[metric] < b[metric])
        cols.append(f"{pct(mean_a, mean_b)} ({per}) | {lower} of {len(paired)}")
    rows.append(f"| {eq} | {n} | {aug} | {v} | {cols[0]} | {cols[1]} |")
if rows:
    print()
    print("| equation | N train | augmentation | validation steps | against none, 20 steps (per seed) | seeds lower | "
          f"against none, {steps} steps (per seed) | seeds lower |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
