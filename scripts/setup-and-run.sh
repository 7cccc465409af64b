#!/usr/bin/env bash
# The main job (README): installs the Debian dependencies, builds pdesym, then runs a small end-to-end KdV
# pipeline on 2 MPI ranks, writing everything into out/ (or $PDESYM_OUT):
#   1. generate   configs/lpsda/kdv-demo.yaml -> kdv-small.h5 (10/8/32 trajectories of LPSDA's KdV recipe: L and T
#                 jittered, 250 solved levels of which the last 140 are stored; LPSDA layout, parallel HDF5)
#   2. plot       one trajectory -> kdv-trajectory.png
#   3. discover   Lie point symmetries from the train split (nullspace method) -> sym.json, compared with the
#                 known KdV algebra (principal angles), plot of the generators -> sym.png
#   4. augment    one transformed copy of every trajectory by the discovered generators -> kdv-small-aug.h5
#   5. train      two small FNOs on the 10 training trajectories (no augmentation / discovered augmentation),
#                 data-parallel on 2 ranks, same seed ($PDESYM_SEED, default 1)
#   6. evaluate   100-step and 20-step rollouts on the 32 test trajectories -> eval-*.json, eval20-*.json, and
#                 rollout-*.png (data, prediction, error of one test trajectory); prints the two NMSEs side by side
# Takes about a minute on 2 idle cores after the build (the old 50 s demo trained on more windows). Set PDESYM_SKIP_INSTALL=1 to skip apt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
[ "${PDESYM_SKIP_INSTALL:-0}" = 1 ] || bash scripts/install-deps.sh
bash scripts/build.sh

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
BIN="$ROOT/${PDESYM_BUILD_DIR:-build}/bin/pdesym"
OUT=${PDESYM_OUT:-out}
RANKS=${PDESYM_RANKS:-2}
EPOCHS=${PDESYM_EPOCHS:-40}
SEED=${PDESYM_SEED:-1}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. generate (mpirun -n $RANKS)"
mpirun -n "$RANKS" "$BIN" generate --config configs/lpsda/kdv-demo.yaml --out "$OUT/kdv-small.h5"

step "2. plot a trajectory"
"$BIN" plot --data "$OUT/kdv-small.h5" --split train --index 0 --out "$OUT/kdv-trajectory.png"

step "3. discover the symmetry algebra (nullspace method) and compare with the known KdV algebra"
"$BIN" discover --data "$OUT/kdv-small.h5" --method nullspace --out "$OUT/sym.json" --compare kdv \
  --plot "$OUT/sym.png"

step "4. augment the dataset with the discovered generators"
"$BIN" augment --data "$OUT/kdv-small.h5" --generators "$OUT/sym.json" --copies 1 --out "$OUT/kdv-small-aug.h5"

for aug in none discovered; do
  spec=none
  [ "$aug" = discovered ] && spec="$OUT/sym.json"
  step "5. train an FNO, augmentation: $aug (mpirun -n $RANKS, $EPOCHS epochs)"
  mpirun -n "$RANKS" "$BIN" train --data "$OUT/kdv-small.h5" --valid "$OUT/kdv-small.h5" --model fno \
    --width 32 --modes 16 --layers 4 --epochs "$EPOCHS" --batch-size 16 --lr 1e-3 --augment "$spec" \
    --seed "$SEED" --out "$OUT/fno-$aug.pt" --json "$OUT/train-$aug.json" > "$OUT/train-$aug.log"
  tail -n 4 "$OUT/train-$aug.log" | head -n 3 || true
  step "6. evaluate the 100-step rollout on the test split ($aug)"
  "$BIN" evaluate --model "$OUT/fno-$aug.pt" --data "$OUT/kdv-small.h5" --json "$OUT/eval-$aug.json" \
    --plot "$OUT/rollout-$aug.png" | grep -E '"(accumulated_mse|nmse)"'
  "$BIN" evaluate --model "$OUT/fno-$aug.pt" --data "$OUT/kdv-small.h5" --rollout-steps 20 \
    --json "$OUT/eval20-$aug.json" > /dev/null
done

step "test NMSE on 32 test trajectories (seed $SEED; bench/RESULTS-surrogates.md has 3 seeds and the published figures)"
nmse() { sed -n 's/^ *"nmse": *\([0-9.eE+-]*\).*/\1/p' "$1" | head -n 1; }
printf '%-22s %12s %12s\n' augmentation "20 steps" "100 steps"
for aug in none discovered; do
  printf '%-22s %12s %12s\n' "$aug" "$(nmse "$OUT/eval20-$aug.json")" "$(nmse "$OUT/eval-$aug.json")"
done

step "done: results in $OUT/"
ls -l "$OUT"
