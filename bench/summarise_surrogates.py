#!/usr/bin/env python3
"""Summarises the runs of bench/run_results_surrogates.sh in OUT_DIR as Markdown tables.

    python3 bench/summarise_surrogates.py OUT_DIR

One row per (equation, N, augmentation, validation horizon): test NMSE over 100 and 20 rollout steps and the
accumulated MSE over 100 steps, as the mean over the seeds found (eval_<eq>_<N>_<aug>[_s<seed>][_v<steps>].json),
with the individual seeds' values in brackets when there are several.
"""
import glob
import json
import os
import re
import sys
from collections import defaultdict

out = sys.argv[1] if len(sys.argv) > 1 else "."
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
                      "nmse20": e2["nmse"], "epochs": t["epochs_completed"], "best": t["best_epoch"]})

def cell(vals, fmt="{:.3f}"):
    mean = sum(vals) / len(vals)
    s = fmt.format(mean)
    if len(vals) > 1:
        s += " (" + ", ".join(fmt.format(v) for v in vals) + ")"
    return s

order = {"none": 0, "known": 1, "discovered": 2}
print("| equation | N train | augmentation | validation steps | seeds | epochs | test NMSE, 20 steps | "
      "test NMSE, 100 steps | test accumulated MSE, 100 steps |")
print("|---|---|---|---|---|---|---|---|---|")
for key in sorted(runs, key=lambda k: (k[0], k[3], k[1], order[k[2]])):
    rs = sorted(runs[key], key=lambda r: r["seed"])
    eq, n, aug, v = key
    print(f"| {eq} | {n} | {aug} | {v} | {len(rs)} | {rs[0]['epochs']} | {cell([r['nmse20'] for r in rs])} | "
          f"{cell([r['nmse'] for r in rs])} | {cell([r['acc'] for r in rs], '{:.2f}')} |")
