#!/usr/bin/env bash
# Times `pdesym generate` of the full 512-trajectory KdV train split (valid/test 0) with 1 and 2 MPI ranks,
# checks that both files hold the same data, and prints a Markdown table row per run.
#
#   bench/run_generate.sh [BUILD_DIR] [CONFIG] [RANKS...]
#   defaults: build-datasets (or build), configs/kdv.yaml, ranks 1 2
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-}"
if [[ -z "$build" ]]; then
  if [[ -x "$here/build-datasets/bin/pdesym" ]]; then build="$here/build-datasets"; else build="$here/build"; fi
fi
config="${2:-$here/configs/kdv.yaml}"
shift $(( $# > 2 ? 2 : $# )) || true
ranks=("$@")
[[ ${#ranks[@]} -eq 0 ]] && ranks=(1 2)
pdesym="$build/bin/pdesym"
[[ -x "$pdesym" ]] || { echo "run_generate.sh: $pdesym not built" >&2; exit 2; }

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1
out="$(mktemp -d "${TMPDIR:-/tmp}/pdesym_bench_gen.XXXXXX")"
trap 'rm -rf "$out"' EXIT

echo "| ranks | trajectories | wall [s] (incl. mpirun start) | generate [s] | trajectories/s | speed-up |"
echo "|---|---|---|---|---|---|"
base=""
for n in "${ranks[@]}"; do
  start=$(date +%s.%N)
  line=$(mpirun -n "$n" --oversubscribe "$pdesym" generate --config "$config" --out "$out/kdv_$n.h5" \
           --train 512 --valid 0 --test 0 --no-progress)
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc -l)
  # "generated 512 trajectories (...) into F in 12.34 s (41.5 trajectories/s) on 2 ranks"
  secs=$(sed -E 's/.* in ([0-9.]+) s \(.*/\1/' <<<"$line")
  rate=$(sed -E 's/.*\(([0-9.]+) trajectories\/s\).*/\1/' <<<"$line")
  [[ -z "$base" ]] && base="$secs"
  printf "| %d | 512 | %.2f | %.2f | %.1f | %.2f |\n" "$n" "$wall" "$secs" "$rate" "$(echo "$base / $secs" | bc -l)"
done
# Same numbers whatever the number of ranks (h5diff exits non-zero on any difference).
first="$out/kdv_${ranks[0]}.h5"
for n in "${ranks[@]:1}"; do
  h5diff "$first" "$out/kdv_$n.h5" >/dev/null && echo "files identical: ${ranks[0]} vs $n ranks" \
    || { echo "run_generate.sh: files differ between ${ranks[0]} and $n ranks" >&2; exit 1; }
done
