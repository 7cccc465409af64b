#!/usr/bin/env bash
# Cost per training sample of the arms of bench/run_results_promote.sh, measured side by side: ROUNDS rounds, each
# running every arm once (EPOCHS epochs of the same reduced FNO on N trajectories, one torch thread, one process at
# a time), so that every arm sees the same load. Prints per arm the median over rounds of each run's median
# per-epoch ms per sample (optimizer steps only), the min-max over rounds, and the ratio of medians to `none`.
#
#   bench/run_cost_promote.sh BUILD_DIR DATA_DIR OUT_DIR      (environment: EQ N ROUNDS EPOCHS WEIGHT WIDTH)
set -euo pipefail
PDESYM=$(realpath "${1:?build dir}")/bin/pdesym
DATA=$(realpath "${2:?data dir}")
OUT=${3:?output dir}
EQ=${EQ:-burgers} N=${N:-10} ROUNDS=${ROUNDS:-3} EPOCHS=${EPOCHS:-3} WEIGHT=${WEIGHT:-0.1} WIDTH=${WIDTH:-32}
export PDESYM_NO_PROGRESS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mkdir -p "$OUT"
ARMS="none aug promote both"
[ "$EQ" = burgers ] && ARMS="$ARMS enforce"
for r in $(seq 1 "$ROUNDS"); do
  for arm in $ARMS; do
    case $arm in
      none) extra=() ;;
      aug) extra=(--augment "known:$EQ") ;;
      promote) extra=(--promote "known:$EQ" --promote-weight "$WEIGHT") ;;
      both) extra=(--augment "known:$EQ" --promote "known:$EQ" --promote-weight "$WEIGHT") ;;
      enforce) extra=(--enforce "reflect(pseudoscalar)") ;;
    esac
    rm -f "$OUT/m.pt"
    "$PDESYM" train --data "$DATA/$EQ.h5" --n-train "$N" --model fno --width "$WIDTH" --modes 16 --layers 4 \
      --epochs "$EPOCHS" --batch-size 16 --lr 1e-3 --seed "$r" --threads 1 --out "$OUT/m.pt" \
      --json "$OUT/cost_${EQ}_${arm}_r$r.json" --no-progress "${extra[@]}" > /dev/null 2>&1
  done
done
rm -f "$OUT/m.pt"
python3 - "$OUT" "$EQ" "$ARMS" <<'PY'
import glob, json, os, statistics, sys
out, eq, arms = sys.argv[1], sys.argv[2], sys.argv[3].split()
ms = {}
for arm in arms:
    for f in sorted(glob.glob(os.path.join(out, f"cost_{eq}_{arm}_r*.json"))):
        h = json.load(open(f))["history"]
        ms.setdefault(arm, []).append(statistics.median(1000.0 / e["samples_per_second"] for e in h))
base = statistics.median(ms["none"])
print(f"| {eq}: arm | ms per sample, median over rounds (min-max) | ratio to none |")
print("|---|---|---|")
for arm in arms:
    v = ms[arm]
    print(f"| {arm} | {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) | {statistics.median(v) / base:.2f}x |")
PY
