#!/usr/bin/env bash
# Results table of bench/RESULTS-surrogates.md: FNO surrogates on KdV and KS trained on N trajectories without
# augmentation, with the known symmetry algebra, and with the algebra `pdesym discover` finds on the same N
# training trajectories; test metric = accumulated MSE / NMSE of the 100-step rollout on the 128 test
# trajectories.
#
#   bench/run_results_surrogates.sh BUILD_DIR OUT_DIR [N ...]       (default N: 32 128)
#
# Settings (reduced from the reference so that the table runs in ~30 min on 2 shared CPU cores) can be changed
# through the environment: WIDTH MODES LAYERS SAMPLES (training samples per run) LR BATCH JOBS (parallel runs,
# one torch thread each) EQUATIONS AUGS SEED (training seed; files of seeds other than 1 are tagged _s<seed>)
# SEEDS (several training seeds in one call, default $SEED) VALID_STEPS (rollout steps of the validation metric
# that picks the best epoch, default 100; other values tag the files _v<steps>) N_VALID (validation trajectories,
# default 32) EPOCHS (fixed epoch count instead of SAMPLES / (7 N)) CONFIG_DIR (generation configs, default
# configs; configs/lpsda for the LPSDA recipe) GEN_ARGS (extra `generate` options, e.g. split counts) TRAIN_ARGS
# (extra `train` options, e.g. "--patience 30 --lr-decay 0.5 --lr-patience 8" for runs that stop when converged;
# use a fresh OUT_DIR per setting: the file tags do not include them) TEST_STEPS (rollout steps of the main test
# metric, eval_*.json, default 100; data with fewer than 20 + 100 stored levels need fewer, e.g. 60 for
# configs/lienlsd/heat.yaml).
# Known generators: known:<equation>; for heat, whose known algebra is not built in, the heat generators that act
# on periodic data (d_x, d_t, u d_u, d_u, x d_x + 2t d_t; boosts and projective fields do not). A file
# $CONFIG_DIR/<equation>.known next to the config (one line: an --augment spec) overrides both, e.g.
# configs/lienlsd/burgers.known for the potential Burgers equation of that recipe; discovery then compares with
# no built-in algebra.
# LPSDA comparison (bench/RESULTS-surrogates.md):
#   CONFIG_DIR=configs/lpsda GEN_ARGS="--train 32 --valid 32 --test 128" EQUATIONS="kdv burgers heat" \
#   SEEDS="1 2 3" MODES=6 LAYERS=5 EPOCHS=150 N_VALID=16 bench/run_results_surrogates.sh build OUT 10
# LieNLSD's model and optimiser schedule (its LPSDA/train_fno.py: FNO width 256, 6 modes, 5 layers, AdamW lr 1e-4,
# x0.4 after epochs 10, 20 and 30, 40 epochs of ~112 000 windows in all at N = 10, originals kept with probability 0.5):
#   CONFIG_DIR=configs/lienlsd EQUATIONS="kdv burgers heat" SEEDS="1 2 3" WIDTH=256 MODES=6 LAYERS=5 EPOCHS=40 LR=1e-4 \
#   N_VALID=16 VALID_STEPS=20 TEST_STEPS=60 TRAIN_ARGS="--windows-per-trajectory 280 --lr-milestones 10,20,30 \
#   --lr-gamma 0.4 --augment-prob 0.5" bench/run_results_surrogates.sh build OUT 10
# Every model is evaluated over 100 steps (the table's main metric) and over 20 steps
# (one model call: the one-window error).
set -euo pipefail
BUILD=$(realpath "${1:?build dir}")
OUT=${2:?output dir}
shift 2
NS=("$@")
[ ${#NS[@]} -eq 0 ] && NS=(32 128)
SRC=$(cd "$(dirname "$0")/.." && pwd)
PDESYM="$BUILD/bin/pdesym"
WIDTH=${WIDTH:-64} MODES=${MODES:-16} LAYERS=${LAYERS:-4} SAMPLES=${SAMPLES:-40000} LR=${LR:-1e-3}
BATCH=${BATCH:-16} JOBS=${JOBS:-2} EQUATIONS=${EQUATIONS:-"kdv ks"} AUGS=${AUGS:-"none known discovered"}
SEED=${SEED:-1} SEEDS=${SEEDS:-$SEED} VALID_STEPS=${VALID_STEPS:-100} N_VALID=${N_VALID:-32} EPOCHS=${EPOCHS:-}
CONFIG_DIR=${CONFIG_DIR:-configs} GEN_ARGS=${GEN_ARGS:-} TRAIN_ARGS=${TRAIN_ARGS:-} TEST_STEPS=${TEST_STEPS:-100}
export PDESYM_NO_PROGRESS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$OUT"
cd "$OUT"

# Data (skipped when present) and the discovered algebras.
for eq in $EQUATIONS; do
  # shellcheck disable=SC2086
  [ -f "$eq.h5" ] || mpirun --oversubscribe -n 2 "$PDESYM" generate --config "$SRC/$CONFIG_DIR/$eq.yaml" --out "$eq.h5" \
    --no-progress $GEN_ARGS
  for n in "${NS[@]}"; do
    compare=()
    case $eq in kdv|burgers|ks|mkdv) compare=(--compare "$eq") ;; esac  # the known 1-D algebras
    [ -f "$SRC/$CONFIG_DIR/$eq.known" ] && compare=()  # another equation under a known name
    [ -f "sym_${eq}_$n.json" ] || "$PDESYM" discover --data "$eq.h5" --trajectories "$n" --out "sym_${eq}_$n.json" \
      "${compare[@]}" > "discover_${eq}_$n.log" 2>&1
  done
done

# One line per run: eq n augmentation seed
jobs_file=jobs_v${VALID_STEPS}_$$.txt
: > "$jobs_file"
for seed in $SEEDS; do
  for eq in $EQUATIONS; do
    for n in "${NS[@]}"; do
      for aug in $AUGS; do echo "$eq $n $aug $seed" >> "$jobs_file"; done
    done
  done
done

# File tag of a run: eq_n_aug, plus _s<seed> and _v<validation steps> where not the defaults.
tag_of() {
  local tag=$1_$2_$3
  [ "$4" = 1 ] || tag=${tag}_s$4
  [ "$VALID_STEPS" = 100 ] || tag=${tag}_v$VALID_STEPS
  echo "$tag"
}

run_one() {
  eq=$1 n=$2 aug=$3 seed=$4
  case $aug in
    none) spec=none ;;
    known) spec=known:$eq ;;
    discovered) spec=sym_${eq}_$n.json ;;
  esac
  [ "$aug:$eq" = known:heat ] && spec='gen:d_x;d_t;u*d_u;d_u;x*d_x + 2*t*d_t'
  [ "$aug" = known ] && [ -f "$KNOWN_DIR/$eq.known" ] && spec=$(head -n 1 "$KNOWN_DIR/$eq.known")
  epochs=${EPOCHS:-$(( (SAMPLES + 7 * n - 1) / (7 * n) ))}
  tag=$(tag_of "$eq" "$n" "$aug" "$seed")
  [ -f "eval_$tag.json" ] && [ -f "eval20_$tag.json" ] && return 0
  # shellcheck disable=SC2086
  "$PDESYM" train --data "$eq.h5" --n-train "$n" --valid "$eq.h5" --n-valid "$N_VALID" --model fno --width "$WIDTH" \
    --modes "$MODES" --layers "$LAYERS" --epochs "$epochs" --batch-size "$BATCH" --lr "$LR" --augment "$spec" \
    --seed "$seed" --rollout-steps "$VALID_STEPS" --threads 1 --resume --out "model_$tag.pt" --json "train_$tag.json" --no-progress $TRAIN_ARGS > "train_$tag.log" 2>&1 ||
    { echo "$tag: training failed or was stopped (train_$tag.log); not evaluated" >&2; return 1; }
  "$PDESYM" evaluate --model "model_$tag.pt" --data "$eq.h5" --threads 1 --rollout-steps "$TEST_STEPS" \
    --json "eval_$tag.json" > /dev/null
  "$PDESYM" evaluate --model "model_$tag.pt" --data "$eq.h5" --threads 1 --rollout-steps 20 \
    --json "eval20_$tag.json" > /dev/null
  echo "$tag done"
}
export -f tag_of run_one
KNOWN_DIR=$SRC/$CONFIG_DIR
export PDESYM KNOWN_DIR WIDTH MODES LAYERS SAMPLES LR BATCH VALID_STEPS N_VALID EPOCHS TRAIN_ARGS TEST_STEPS
# A failed or stopped run is not evaluated; the others go on, and the script exits non-zero after the table.
status=0
xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ < "$jobs_file" || status=$?

# Table
printf '| equation | N train | augmentation | seed | epochs | best epoch (valid. %s steps) | test acc. MSE (%s steps) | test NMSE (%s steps) | test NMSE (20 steps) |\n' \
  "$VALID_STEPS" "$TEST_STEPS" "$TEST_STEPS"
printf '|---|---|---|---|---|---|---|---|---|\n'
while read -r eq n aug seed; do
  tag=$(tag_of "$eq" "$n" "$aug" "$seed")
  [ -f "eval_$tag.json" ] && [ -f "eval20_$tag.json" ] || { echo "| $eq | $n | $aug | $seed | not completed | | | | |"; continue; }
  python3 - "$tag" "$eq" "$n" "$aug" "$seed" <<'EOF'
import json, sys
tag, eq, n, aug, seed = sys.argv[1:]
e = json.load(open(f"eval_{tag}.json")); t = json.load(open(f"train_{tag}.json"))
e20 = json.load(open(f"eval20_{tag}.json"))
print(f"| {eq} | {n} | {aug} | {seed} | {t['epochs_completed']} | {t['best_epoch']} | {e['accumulated_mse']:.4f} | "
      f"{e['nmse']:.4f} | {e20['nmse']:.4f} |")
EOF
done < "$jobs_file"
exit "$status"
