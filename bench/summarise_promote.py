#!/usr/bin/env python3
"""Table of bench/run_results_promote.sh: per (equation, N, arm) the test NMSE and accumulated MSE of the 100-step
rollout (mean, then min-max over seeds), the best epoch against the stop epoch (marked "cap" where the run reached
its epoch limit instead of stopping by --patience), and the cost per training sample
(median over seeds) relative to `none` of the same directory (runs measured side by side; "-" where that directory
has no `none`).  Usage: summarise_promote.py OUT_DIR [OTHER_DIR=label ...]: the arms of OTHER_DIR are listed as
"arm (label)", e.g. a second run with another --promote-weight."""
import glob, json, os, re, statistics, sys

rows = {}
for spec in (sys.argv[1:] or ["."]):
  d, _, label = spec.partition("=")
  for f in glob.glob(os.path.join(d, "eval_*.json")):
    m = re.match(r"eval_(\w+?)_(\d+)_(\w+)_s(\d+)\.json", os.path.basename(f))
    if not m:
        continue
    eq, n, arm, seed = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    if label:
        arm = f"{arm} ({label})"
    tag = f"{eq}_{n}_{m.group(3)}_s{seed}"
    e = json.load(open(f))
    t = json.load(open(os.path.join(d, f"train_{tag}.json")))
    h = t["history"]
    sps = [r["samples_per_second"] for r in h if r["samples_per_second"] > 0]
    rows.setdefault((eq, n, arm), []).append({
        "seed": seed, "nmse": e["nmse"], "amse": e["accumulated_mse"], "best": t["best_epoch"],
        "last": t["epochs_completed"], "cap": t.get("stop_reason") == "epochs" and t.get("stop_epoch") is not None, "ms": 1000.0 / statistics.median(sps) if sps else float("nan")})

order = {"none": 0, "aug": 1, "promote": 2, "both": 3, "enforce": 4}
print("| equation | N | arm | seeds | test NMSE, 100 steps: mean (min-max) | test acc. MSE: mean (min-max) | "
      "best epoch / stop epoch | ms per sample (median) | cost vs none |")
print("|---|---|---|---|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: (k[0], k[1], order.get(k[2].split(" ")[0], 9), k[2])):
    eq, n, arm = key
    r = sorted(rows[key], key=lambda x: x["seed"])
    nm = [x["nmse"] for x in r]
    am = [x["amse"] for x in r]
    ms = statistics.median(x["ms"] for x in r)
    base = rows.get((eq, n, "none")) if "(" not in arm else None
    ratio = f"{ms / statistics.median(x['ms'] for x in base):.2f}x" if base else "-"
    best = ", ".join(f"{x['best']}/{x['last']}" + (" cap" if x["cap"] else "") for x in r)
    print(f"| {eq} | {n} | {arm} | {len(r)} | {statistics.mean(nm):.3g} ({min(nm):.3g}-{max(nm):.3g}) | "
          f"{statistics.mean(am):.3g} ({min(am):.3g}-{max(am):.3g}) | {best} | {ms:.2f} | {ratio} |")
