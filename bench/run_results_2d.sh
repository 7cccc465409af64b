#!/usr/bin/env bash
# 2-D results table of bench/RESULTS-surrogates-2d.md: reduced FNO-2d surrogates on 2-D Navier-Stokes vorticity
# (configs/navier-stokes-free.yaml, 64 x 64, unforced) and 2-D cubic NLS (configs/nls2d-small.yaml sampling, 64 x 64,
# components u, v) trained on N trajectories without augmentation, with the known symmetries (known:navier_stokes:
# translations, d_t, the square's D4 with a pseudo-scalar vorticity; known:nls2d: the 2-D NLS algebra without the
# continuous rotation) and with the generators `pdesym discover` finds on the same N training trajectories. Test
# metric: NMSE (overall and per component) of the rollout from the first TW levels on the test split.
#
#   bench/run_results_2d.sh BUILD_DIR OUT_DIR [N ...]              (default N: 8 32)
#
# Environment: EQUATIONS ("ns nls2d"), AUGS ("none known discovered"), SEEDS ("1 2 3"), JOBS (parallel runs, one
# torch thread each, default 2), NICE (15), WIDTH MODES LAYERS TW (16 8 3 4: the reduced FNO-2d), SAMPLES
# (training windows per run, 1200), EPOCH_SAMPLES (windows per epoch, 64: N = 8 draws 8 per trajectory, N = 32
# draws 2), BATCH (8), LR (2e-3), STEPS (rollout steps of validation and test, 20), NTEST (16), NVALID (8),
# RESAMPLES (stability resamples of the discovery verdict, 0), EPOCHS (when set: the epoch cap, replacing
# SAMPLES / windows per epoch; meant for early stopping), TRAIN_ARGS (extra `train` options, e.g.
# "--patience 20 --lr-decay 0.5 --lr-patience 6").
# Runs already finished (eval JSON present) are skipped, so the script can be rerun to extend the table; the
# order is seed-major, so an interrupted run leaves whole seeds. Summary: bench/summarise_results_2d.py OUT_DIR.
set -euo pipefail
BUILD=$(realpath "${1:?build dir}")
OUT=${2:?output dir}
shift 2
NS=("$@")
[ ${#NS[@]} -eq 0 ] && NS=(8 32)
SRC=$(cd "$(dirname "$0")/.." && pwd)
PDESYM="$BUILD/bin/pdesym"
EQUATIONS=${EQUATIONS:-"ns nls2d"} AUGS=${AUGS:-"none known discovered"} SEEDS=${SEEDS:-"1 2 3"}
JOBS=${JOBS:-2} NICE=${NICE:-15} WIDTH=${WIDTH:-16} MODES=${MODES:-8} LAYERS=${LAYERS:-3} TW=${TW:-4}
SAMPLES=${SAMPLES:-1200} EPOCH_SAMPLES=${EPOCH_SAMPLES:-64} BATCH=${BATCH:-8} LR=${LR:-2e-3} STEPS=${STEPS:-20}
NTEST=${NTEST:-16} NVALID=${NVALID:-8} RESAMPLES=${RESAMPLES:-0} EPOCHS=${EPOCHS:-} TRAIN_ARGS=${TRAIN_ARGS:-}
export PDESYM_NO_PROGRESS=1 OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$OUT"
cd "$OUT"
maxn=$(printf '%s\n' "${NS[@]}" | sort -n | tail -1)

config_of() { case $1 in ns) echo navier-stokes-free.yaml ;; nls2d) echo nls2d-small.yaml ;; esac; }
known_of() { case $1 in ns) echo known:navier_stokes ;; nls2d) echo known:nls2d ;; esac; }

# Data: one file per equation, skipped when present.
for eq in $EQUATIONS; do
  if [ ! -f "$eq.h5" ]; then
    nice -n "$NICE" "$PDESYM" generate --config "$SRC/configs/$(config_of "$eq")" --out "$eq.h5" \
      --train "$(( maxn > 32 ? maxn : 32 ))" --valid "$NVALID" --test "$NTEST" --no-progress
  fi
done

jobs_file=jobs_$$.txt
: > "$jobs_file"
for seed in $SEEDS; do
  for n in "${NS[@]}"; do
    for eq in $EQUATIONS; do
      for aug in $AUGS; do echo "$eq $n $aug $seed" >> "$jobs_file"; done
    done
  done
done

run_one() {
  eq=$1 n=$2 aug=$3 seed=$4
  case $aug in
    none) spec=none ;;
    known) spec=$(known_of "$eq") ;;
    discovered) spec=sym_${eq}_$n.json ;;
  esac
  # The discovered generators of the first N training trajectories (nullspace method; --compare where a known
  # algebra exists), computed by the first job that needs them (the lock keeps parallel jobs from repeating it).
  if [ "$aug" = discovered ]; then
    cmp=""
    [ "$eq" = nls2d ] && cmp="--compare nls2d"
    flock "sym_${eq}_$n.lock" bash -c "[ -f $spec ] || nice -n $NICE $PDESYM discover --data $eq.h5 --trajectories $n \
      --resamples $RESAMPLES --out $spec $cmp > discover_${eq}_$n.log 2>&1"
  fi
  tag=${eq}_${n}_${aug}_s$seed
  [ -f "eval_$tag.json" ] && return 0
  wpt=$(( (EPOCH_SAMPLES + n - 1) / n ))
  epochs=$(( (SAMPLES + wpt * n - 1) / (wpt * n) ))
  [ -n "$EPOCHS" ] && epochs=$EPOCHS
  nice -n "$NICE" "$PDESYM" train --data "$eq.h5" --n-train "$n" --valid "$eq.h5" --valid-split valid \
    --n-valid "$NVALID" --model fno --time-window "$TW" --width "$WIDTH" --modes "$MODES" --layers "$LAYERS" \
    --epochs "$epochs" --windows-per-trajectory "$wpt" --batch-size "$BATCH" --lr "$LR" --augment "$spec" \
    --seed "$seed" --rollout-steps "$STEPS" --threads 1 --resume --out "model_$tag.pt" --json "train_$tag.json" \
    --no-progress $TRAIN_ARGS > "train_$tag.log" 2>&1 ||
    { echo "$tag: training failed or was stopped (train_$tag.log); not evaluated" >&2; return 1; }
  nice -n "$NICE" "$PDESYM" evaluate --model "model_$tag.pt" --data "$eq.h5" --split test --n-test "$NTEST" \
    --rollout-steps "$STEPS" --threads 1 --json "eval_$tag.json" > /dev/null 2>> "train_$tag.log"
  echo "$tag done"
}
export -f run_one config_of known_of
export PDESYM RESAMPLES NICE WIDTH MODES LAYERS TW SAMPLES EPOCH_SAMPLES BATCH LR STEPS NTEST NVALID EPOCHS TRAIN_ARGS
# A failed or stopped run is not evaluated; the others go on, and the script exits non-zero after the summary.
status=0
xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ < "$jobs_file" || status=$?
rm -f "$jobs_file"
python3 "$SRC/bench/summarise_results_2d.py" .
exit "$status"
