#!/usr/bin/env bash
# Ways of using a symmetry group in FNO training, side by side (bench/RESULTS-surrogates.md, "Promotion"):
#   none       no symmetry
#   aug        augmentation by the known algebra (--augment known:<eq>)
#   promote    Lie-derivative penalty along the known algebra (--promote known:<eq>)
#   both       augmentation and promotion
#   enforce    the model averaged over the finite subgroup the grid represents exactly (--enforce auto; only
#              where one exists: Burgers' (x, u) -> (-x, -u); KdV has none without time reversal)
# for each N (training trajectories), seed and equation (all N = 10 runs first). Every run trains a reduced FNO,
# keeps the best-validation epoch and is evaluated on the test split (100-step rollout). With PATIENCE > 0 a run
# stops PATIENCE epochs after its best validation epoch (EPOCHS10 / EPOCHS32 are then only caps) and LR_DECAY < 1
# halves (etc.) the learning rate after LR_PATIENCE epochs without improvement. Cost per sample = wall seconds
# of optimizer steps / training samples, from the run's own history (runs JOBS at a time on a shared machine:
# compare the ratios within one table).
#
#   bench/run_results_promote.sh BUILD_DIR DATA_DIR OUT_DIR
#
# DATA_DIR holds kdv.h5 and burgers.h5 (pdesym generate --config configs/<eq>.yaml --train 32 --valid 16
# --test 32). Environment: EQUATIONS NS SEEDS ARMS WIDTH MODES LAYERS EPOCHS10 EPOCHS32 (epochs at N = 10 and
# N = 32) LR BATCH WEIGHT (promotion weight) NVALID NTEST JOBS PATIENCE LR_DECAY LR_PATIENCE NICE (niceness of
# the runs; 0 to run at normal priority).
set -euo pipefail
BUILD=$(realpath "${1:?build dir}")
DATA=$(realpath "${2:?data dir}")
OUT=${3:?output dir}
HERE=$(cd "$(dirname "$0")" && pwd)
PDESYM="$BUILD/bin/pdesym"
EQUATIONS=${EQUATIONS:-"kdv burgers"} NS=${NS:-"10 32"} SEEDS=${SEEDS:-"1 2 3"}
ARMS=${ARMS:-"none aug promote both enforce"}
WIDTH=${WIDTH:-32} MODES=${MODES:-16} LAYERS=${LAYERS:-4} EPOCHS10=${EPOCHS10:-60} EPOCHS32=${EPOCHS32:-20}
LR=${LR:-1e-3} BATCH=${BATCH:-16} WEIGHT=${WEIGHT:-1} NVALID=${NVALID:-8} NTEST=${NTEST:-32} JOBS=${JOBS:-2}
PATIENCE=${PATIENCE:-0} LR_DECAY=${LR_DECAY:-1} LR_PATIENCE=${LR_PATIENCE:-10} NICE=${NICE:-10}
export PDESYM_NO_PROGRESS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mkdir -p "$OUT"
cd "$OUT"

jobs_file=jobs_$$.txt
: > "$jobs_file"
for n in $NS; do
  for seed in $SEEDS; do
    for eq in $EQUATIONS; do
      for arm in $ARMS; do
        [ "$arm" = enforce ] && [ "$eq" = kdv ] && continue  # no finite subgroup (see above)
        echo "$eq $n $arm $seed" >> "$jobs_file"
      done
    done
  done
done

run_one() {
  eq=$1 n=$2 arm=$3 seed=$4
  tag=${eq}_${n}_${arm}_s$seed
  [ -f "eval_$tag.json" ] && return 0
  case $arm in
    none) extra=() ;;
    aug) extra=(--augment "known:$eq") ;;
    promote) extra=(--promote "known:$eq" --promote-weight "$WEIGHT") ;;
    both) extra=(--augment "known:$eq" --promote "known:$eq" --promote-weight "$WEIGHT") ;;
    enforce) extra=(--enforce "reflect(pseudoscalar)") ;;
  esac
  epochs=$EPOCHS32
  [ "$n" = 10 ] && epochs=$EPOCHS10
  nice -n "$NICE" "$PDESYM" train --data "$DATA/$eq.h5" --n-train "$n" --valid "$DATA/$eq.h5" --n-valid "$NVALID" \
    --model fno --width "$WIDTH" --modes "$MODES" --layers "$LAYERS" --epochs "$epochs" --batch-size "$BATCH" \
    --lr "$LR" --patience "$PATIENCE" --lr-decay "$LR_DECAY" --lr-patience "$LR_PATIENCE" --seed "$seed" --threads 1 --resume --out "model_$tag.pt" --json "train_$tag.json" --no-progress \
    "${extra[@]}" > "train_$tag.log" 2>&1 ||
    { echo "$tag: training failed or was stopped (train_$tag.log); not evaluated" >&2; return 1; }
  nice -n "$NICE" "$PDESYM" evaluate --model "model_$tag.pt" --data "$DATA/$eq.h5" --n-test "$NTEST" --threads 1 \
    --json "eval_$tag.json" > /dev/null 2>&1
  echo "$tag done"
}
export -f run_one
export PDESYM DATA WIDTH MODES LAYERS EPOCHS10 EPOCHS32 LR BATCH WEIGHT NVALID NTEST PATIENCE LR_DECAY LR_PATIENCE NICE
# A failed or stopped run is not evaluated; the others go on, and the script exits non-zero after the summary.
status=0
xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ < "$jobs_file" || status=$?
rm -f "$jobs_file"
python3 "$HERE/summarise_promote.py" .
exit "$status"
