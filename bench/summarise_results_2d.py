#!/usr/bin/env python3
"""Summarises the runs of bench/run_results_2d.sh in OUT_DIR as Markdown tables.

    python3 bench/summarise_results_2d.py OUT_DIR

Table 1, one row per (equation, N, augmentation): the test NMSE of the rollout (overall and per component for
systems) as mean and sample standard deviation over the finished seeds, with the seeds' values; the best epoch
(chosen on the validation rollout) against the epochs run, and whether every seed's best epoch came before its
last ("converged": the validation error had stopped improving within the budget).
Table 2: each run (eval_<eq>_<N>_<aug>_s<seed>.json with its train_*.json).
"""
import glob
import json
import math
import os
import re
import sys
from collections import defaultdict

out = sys.argv[1] if len(sys.argv) > 1 else "."
pat = re.compile(r"eval_(?P<eq>[a-z0-9]+)_(?P<n>\d+)_(?P<aug>none|known|discovered)_s(?P<seed>\d+)\.json$")
runs = defaultdict(list)
for path in sorted(glob.glob(os.path.join(out, "eval_*.json"))):
    m = pat.search(os.path.basename(path))
    tr = os.path.join(out, "train_" + os.path.basename(path)[len("eval_"):])
    if not m or not os.path.exists(tr):
        continue
    e, t = json.load(open(path)), json.load(open(tr))
    pc = {c: v["nmse"] for c, v in e.get("per_component", {}).items()}
    runs[(m["eq"], int(m["n"]), m["aug"])].append({
        "seed": int(m["seed"]), "nmse": e["nmse"], "pc": pc, "epochs": t["epochs_completed"],
        "best": t["best_epoch"]})


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return f"{mean:.3g}"
    sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1))
    # three significant digits: NLS errors are ~1e-3, Navier-Stokes ~0.5
    return f"{mean:.3g} ± {sd:.2g} (" + ", ".join(f"{v:.3g}" for v in vals) + ")"


order = {"none": 0, "known": 1, "discovered": 2}
keys = sorted(runs, key=lambda k: (k[0], k[1], order[k[2]]))
print("| equation | N train | augmentation | seeds | test NMSE: mean ± sd (seeds) | per component | "
      "best epoch / epochs | converged |")
print("|---|---|---|---|---|---|---|---|")
for key in keys:
    rs = sorted(runs[key], key=lambda r: r["seed"])
    eq, n, aug = key
    comps = sorted({c for r in rs for c in r["pc"]})
    per = "; ".join(f"{c}: {stats([r['pc'].get(c) for r in rs])}" for c in comps) if len(comps) > 1 else ""
    best = ", ".join(f"{r['best']}/{r['epochs']}" for r in rs)
    conv = "yes" if all(r["best"] < r["epochs"] for r in rs) else "no"
    print(f"| {eq} | {n} | {aug} | {len(rs)} | {stats([r['nmse'] for r in rs])} | {per} | {best} | {conv} |")
