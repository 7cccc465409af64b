#!/usr/bin/env bash
# Surrogate training throughput on 1 and 2 MPI ranks (one torch thread per rank), FNO at the size and
# the ResNet. Usage: bench/run_bench_train.sh [BUILD_DIR] (default build). Prints a Markdown table.
set -euo pipefail
BUILD=${1:-build}
B="$BUILD/bin/bench_train"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1
echo "| model | size | nx | ranks | threads/rank | batch | samples/s |"
echo "|---|---|---|---|---|---|---|"
for ranks in 1 2; do
  mpirun --oversubscribe -n $ranks "$B" --model fno --width 256 --modes 32 --layers 5 --batch-size 16 --samples 64 --threads 1
  mpirun --oversubscribe -n $ranks "$B" --model fno --width 64 --modes 16 --layers 4 --batch-size 16 --samples 512 --threads 1
  mpirun --oversubscribe -n $ranks "$B" --model resnet --width 128 --layers 4 --batch-size 16 --samples 256 --threads 1
done
# One process with 2 torch threads, for comparison with 2 ranks x 1 thread.
"$B" --model fno --width 256 --modes 32 --layers 5 --batch-size 16 --samples 64 --threads 2
