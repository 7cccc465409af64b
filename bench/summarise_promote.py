#!/usr/bin/env python3
"""Table of bench/run_results_promote.sh: per (equation, N, arm) the test NMSE and accumulated MSE of the 100-step
rollout (mean, then min-max over seeds), the best epoch against the last, and the cost per training sample
(median over seeds) relative to `none`.  Usage: summarise_promote.py OUT_DIR"""
import glob, json, os, re, statistics, sys

d = sys.argv[1] if len(sys.argv) > 1 else "."
rows = {}
for f in glob.glob(os.path.join(d, "eval_*.json")):
    m = re.match(r"eval_(\w+?)_(\d+)_(\w+)_s(\d+)\.json", os.path.basename(f))
    if not m:
        continue
    eq, n, arm, seed = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    tag = f"{eq}_{n}_{arm}_s{seed}"
    e = json.load(open(f))
    t = json.load(open(os.path.join(d, f"train_{tag}.json")))
    h = t["history"]
    sps = [r["samples_per_second"] for r in h if r["samples_per_second"] > 0]
    rows.setdefault((eq, n, arm), []).append({
        "seed": seed, "nmse": e["nmse"], "amse": e["accumulated_mse"], "best": t["best_epoch"],
        "last": t["epochs_completed"], "ms": 1000.0 / statistics.median(sps) if sps else float("nan")})

order = {"none": 0, "aug": 1, "promote": 2, "both": 3, "enforce": 4}
print("| equation | N | arm | seeds | test NMSE, 100 steps: mean (min-max) | test acc. MSE: mean (min-max) | "
      "best epoch / epochs | ms per sample (median) | cost vs none |")
print("|---|---|---|---|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: (k[0], k[1], order.get(k[2], 9))):
    eq, n, arm = key
    r = sorted(rows[key], key=lambda x: x["seed"])
    nm = [x["nmse"] for x in r]
    am = [x["amse"] for x in r]
    ms = statistics.median(x["ms"] for x in r)
    base = rows.get((eq, n, "none"))
    ms0 = statistics.median(x["ms"] for x in base) if base else float("nan")
    best = ", ".join(f"{x['best']}/{x['last']}" for x in r)
    print(f"| {eq} | {n} | {arm} | {len(r)} | {statistics.mean(nm):.3f} ({min(nm):.3f}-{max(nm):.3f}) | "
          f"{statistics.mean(am):.2f} ({min(am):.2f}-{max(am):.2f}) | {best} | {ms:.2f} | {ms / ms0:.2f}x |")
