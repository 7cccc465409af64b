#!/usr/bin/env bash
# The main job (README): installs the Debian dependencies, builds pdesym, then runs a small end-to-end KdV
# pipeline on 2 MPI ranks, writing everything into out/ (or $PDESYM_OUT):
#   1. generate   configs/kdv-small.yaml -> kdv-small.h5 (32/8/8 trajectories, LPSDA layout, parallel HDF5)
#   2. plot       one trajectory -> kdv-trajectory.png
#   3. discover   Lie point symmetries from the train split (nullspace method) -> sym.json, compared with the
#                 known KdV algebra (principal angles), plot of the generators -> sym.png
#   4. augment    one transformed copy of every trajectory by the discovered generators -> kdv-small-aug.h5
#   5. train      two small FNOs (no augmentation / discovered augmentation), data-parallel on 2 ranks
#   6. evaluate   100-step rollouts on the test split -> eval-none.json, eval-discovered.json, and
#                 rollout-*.png (data, prediction, error of one test trajectory)
# Takes about a minute on 2 cores after the build. Set PDESYM_SKIP_INSTALL=1 to skip apt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
[ "${PDESYM_SKIP_INSTALL:-0}" = 1 ] || bash scripts/install-deps.sh
bash scripts/build.sh

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
BIN="$ROOT/${PDESYM_BUILD_DIR:-build}/bin/pdesym"
OUT=${PDESYM_OUT:-out}
RANKS=${PDESYM_RANKS:-2}
EPOCHS=${PDESYM_EPOCHS:-30}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. generate (mpirun -n $RANKS)"
mpirun -n "$RANKS" "$BIN" generate --config configs/kdv-small.yaml --out "$OUT/kdv-small.h5"

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
    --out "$OUT/fno-$aug.pt" --json "$OUT/train-$aug.json" > "$OUT/train-$aug.log"
  tail -n 4 "$OUT/train-$aug.log" | head -n 3 || true
  step "6. evaluate the 100-step rollout on the test split ($aug)"
  "$BIN" evaluate --model "$OUT/fno-$aug.pt" --data "$OUT/kdv-small.h5" --json "$OUT/eval-$aug.json" \
    --plot "$OUT/rollout-$aug.png" | grep -E '"(accumulated_mse|nmse)"'
done

step "done: results in $OUT/"
ls -l "$OUT"
