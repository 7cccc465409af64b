#!/usr/bin/env bash
# A small 2-D, two-component pipeline end to end (2-D focusing cubic NLS, psi = u + i v, on a 64 x 64 box),
# writing everything into out-2d/ (or $PDESYM_OUT):
#   1. generate   configs/nls2d-small.yaml on 2 MPI ranks -> nls2d.h5 (pdesym-nd layout: /train/u, /train/v)
#   2. plot       snapshots of u and v of one trajectory -> nls2d-trajectory.png
#   3. discover   the symmetry algebra from the data (nullspace method, with its trust verdict) compared with the
#                 known 8-dimensional 2-D NLS algebra -> sym.json
#   4. augment    one transformed copy of every trajectory by the discovered generators -> nls2d-aug.h5
#   5. train      two small FNO-2d models (no augmentation / discovered augmentation) on 2 ranks
#   6. evaluate   rollouts on the test split, NMSE per component -> eval-*.json, rollout-*.png
# About 1.5 minutes on 2 cores after the build. Assumes the build exists (scripts/build.sh); PDESYM_BUILD_DIR,
# PDESYM_OUT, PDESYM_RANKS, PDESYM_EPOCHS as in scripts/setup-and-run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
BIN="$ROOT/${PDESYM_BUILD_DIR:-build}/bin/pdesym"
[ -x "$BIN" ] || bash scripts/build.sh
OUT=${PDESYM_OUT:-out-2d}
RANKS=${PDESYM_RANKS:-2}
EPOCHS=${PDESYM_EPOCHS:-15}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. generate (mpirun -n $RANKS)"
mpirun -n "$RANKS" "$BIN" generate --config configs/nls2d-small.yaml --out "$OUT/nls2d.h5"

step "2. plot a trajectory (u and v at 4 times)"
"$BIN" plot --data "$OUT/nls2d.h5" --split train --index 0 --out "$OUT/nls2d-trajectory.png"

step "3. discover the symmetry algebra and compare with the known 2-D NLS algebra"
"$BIN" discover --data "$OUT/nls2d.h5" --method nullspace --out "$OUT/sym.json" --compare nls2d

step "4. augment the dataset with the discovered generators"
"$BIN" augment --data "$OUT/nls2d.h5" --generators "$OUT/sym.json" --copies 1 --out "$OUT/nls2d-aug.h5"

for aug in none discovered; do
  spec=none
  [ "$aug" = discovered ] && spec="$OUT/sym.json"
  step "5. train an FNO-2d, augmentation: $aug (mpirun -n $RANKS, $EPOCHS epochs)"
  mpirun -n "$RANKS" "$BIN" train --data "$OUT/nls2d.h5" --valid "$OUT/nls2d.h5" --model fno --time-window 4 \
    --width 16 --modes 8 --layers 3 --epochs "$EPOCHS" --batch-size 8 --lr 2e-3 --augment "$spec" \
    --windows-per-trajectory 4 \
    --rollout-steps 12 --out "$OUT/fno-$aug.pt" --json "$OUT/train-$aug.json" > "$OUT/train-$aug.log"
  tail -n 3 "$OUT/train-$aug.log" || true
  step "6. evaluate the rollout on the test split ($aug)"
  "$BIN" evaluate --model "$OUT/fno-$aug.pt" --data "$OUT/nls2d.h5" --rollout-steps 12 \
    --json "$OUT/eval-$aug.json" --plot "$OUT/rollout-$aug.png" > /dev/null
done

step "done: results in $OUT/"
ls -l "$OUT"
