#!/usr/bin/env bash
# FNO training throughput (bench_train, samples/s) with the reference BLAS and with OpenBLAS, side by side on one
# core: one torch thread, one BLAS thread, pinned to CPU 0, runs alternating between the two libraries so that
# machine load affects both alike. LibTorch loads libblas.so.3 / liblapack.so.3; LD_LIBRARY_PATH picks which, so
# the comparison does not depend on where the alternatives currently point.
# Usage: bench/run_bench_blas.sh [BUILD_DIR] [REPEATS] [OPENBLAS_DIR]
#   OPENBLAS_DIR default: /usr/lib/x86_64-linux-gnu/openblas-pthread (package libopenblas0-pthread).
# Prints one line per run, then the median and range per model and library.
set -euo pipefail
BUILD=${1:-build}
REPEATS=${2:-3}
OPENBLAS=${3:-/usr/lib/x86_64-linux-gnu/openblas-pthread}
A=/usr/lib/x86_64-linux-gnu
REFERENCE="$A/blas:$A/lapack"
B="$BUILD/bin/bench_train"
export PDESYM_NO_PROGRESS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
[ -e "$OPENBLAS/libblas.so.3" ] || { echo "no OpenBLAS at $OPENBLAS (apt-get install libopenblas0-pthread)"; exit 1; }
MODELS=("--model fno --width 64 --modes 16 --layers 4 --batch-size 16 --samples 256"
        "--model fno --width 256 --modes 32 --layers 5 --batch-size 16 --samples 48")
out=$(mktemp)
for ((r = 1; r <= REPEATS; ++r)); do
  for m in "${!MODELS[@]}"; do
    for lib in reference openblas; do
      path=$REFERENCE
      [ $lib = openblas ] && path=$OPENBLAS
      v=$(LD_LIBRARY_PATH=$path taskset -c 0 "$B" ${MODELS[$m]} --threads 1 | awk -F'|' '{gsub(/ /, "", $8); print $8}')
      echo "run $r model $m ($(echo ${MODELS[$m]} | cut -d' ' -f2-6)) $lib: $v samples/s"
      echo "$m $lib $v" >> "$out"
    done
  done
done
echo
for m in "${!MODELS[@]}"; do
  for lib in reference openblas; do
    vals=$(awk -v m=$m -v l=$lib '$1 == m && $2 == l {print $3}' "$out" | sort -g | tr '\n' ' ')
    med=$(echo $vals | awk '{n = split($0, a, " "); print (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2}')
    echo "model $m ($(echo ${MODELS[$m]} | cut -d' ' -f2-6)) $lib: median $med, runs: $vals"
  done
done
rm -f "$out"
