#!/usr/bin/env bash
# Times `pdesym generate` of 2-D data: Navier–Stokes in vorticity form (the config below: T = 5, nt = 26,
# solver dt = 0.02) at nx = ny = 128 by default, N train trajectories (valid/test 0), with 1 and 2 MPI ranks;
# checks that the files are identical and prints a Markdown table row per run. The FFT-only roofline of the
# 2-D stepper is bench_solvers' (solvers); this is the whole pipeline: initial conditions, ETDRK4, parallel HDF5.
#
#   bench/run_generate_nd.sh [BUILD_DIR] [N] [GRID] [RANKS...]
#   defaults: build, 16 trajectories, 128, ranks 1 2
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
ntraj="${2:-16}"
grid="${3:-128}"
shift $(( $# > 3 ? 3 : $# )) || true
ranks=("$@")
[[ ${#ranks[@]} -eq 0 ]] && ranks=(1 2)
pdesym="$build/bin/pdesym"
[[ -x "$pdesym" ]] || { echo "run_generate_nd.sh: $pdesym not built" >&2; exit 2; }

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1
out="$(mktemp -d "${TMPDIR:-/tmp}/pdesym_bench_gen_nd.XXXXXX")"
trap 'rm -rf "$out"' EXIT
cat > "$out/ns2d.yaml" <<YAML
equation: navier_stokes
coefficients: {nu: 0.01, forcing_amplitude: 0.1, forcing_mode: 4, drag: 0.1}
domain: {dim: 2, Lx: 6.283185307179586, Ly: 6.283185307179586, nx: $grid, ny: $grid, T: 5.0, nt: 26}
solver: {dt: 0.02}
initial_condition: {type: random_modes, amplitude: 1.0, k_min: 1, k_max: 4}
splits: {train: $ntraj, valid: 0, test: 0}
seed: 42
YAML

echo "| grid | ranks | trajectories | generate [s] | trajectories/s | steps x points / s |"
echo "|---|---|---|---|---|---|"
for n in "${ranks[@]}"; do
  line=$(mpirun -n "$n" --oversubscribe "$pdesym" generate --config "$out/ns2d.yaml" --out "$out/ns_$n.h5" \
           --train "$ntraj" --valid 0 --test 0 --no-progress)
  secs=$(sed -E 's/.* in ([0-9.]+) s \(.*/\1/' <<<"$line")
  rate=$(sed -E 's/.*\(([0-9.]+) trajectories\/s\).*/\1/' <<<"$line")
  # 250 ETDRK4 steps (T / dt) of grid^2 points per trajectory.
  printf "| %d x %d | %d | %d | %.2f | %.2f | %.3g |\n" "$grid" "$grid" "$n" "$ntraj" "$secs" "$rate" \
    "$(echo "$ntraj * 250 * $grid * $grid / $secs" | bc -l)"
done
first="$out/ns_${ranks[0]}.h5"
for n in "${ranks[@]:1}"; do
  h5diff "$first" "$out/ns_$n.h5" >/dev/null && echo "files identical: ${ranks[0]} vs $n ranks" \
    || { echo "run_generate_nd.sh: files differ between ${ranks[0]} and $n ranks" >&2; exit 1; }
done
