#!/usr/bin/env bash
# Accuracy of the LieNLSD-recipe data (configs/lienlsd/kdv.yaml, burgers.yaml) on 8 test trajectories:
#   - time step: the config against solver.dt / 4;
#   - resolution: the config against the same config solved on 4x the points (domain.nx_solve x 4), compared
#     at the stored points;
#   - Burgers (the potential Burgers equation u_t = u_xx + u_x^2): the stored levels against the Cole-Hopf
#     solution u = log psi, psi_t = psi_xx, psi0 = exp(u0), exact in time (psi0 on 1600 points; its modes
#     |m| <= 60 evolved exactly; 800 points agree to round-off).
# Maximum over the trajectories and the 80 stored levels of |u - u_ref| / max |u_ref|.
#
#   bench/check_lienlsd_presets.sh BUILD_DIR SCRATCH_DIR        (~30 s; needs h5dump and python3, no numpy)
set -euo pipefail
BUILD=$(realpath "${1:?build dir}")
OUT=${2:?scratch dir}
SRC=$(cd "$(dirname "$0")/.." && pwd)
export PDESYM_NO_PROGRESS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$OUT"
cd "$OUT"
for eq in kdv burgers; do
  cfg=$SRC/configs/lienlsd/$eq.yaml
  dt=$(sed -n 's/^  dt: //p' "$cfg")
  nx=$(sed -n 's/^  nx: //p' "$cfg")
  nxs=$(sed -n 's/^  nx_solve: //p' "$cfg")
  nxs=${nxs:-$nx}
  cp "$cfg" base_$eq.yaml
  sed "s/^  dt: .*/  dt: $(python3 -c "print($dt / 4)")/" "$cfg" > dt4_$eq.yaml
  grep -v '^  nx_solve:' "$cfg" | sed "s/^  nx: .*/  nx: $nx\n  nx_solve: $((4 * nxs))/" > fine_$eq.yaml
  sed "s/^  nt: .*/  nt: 100/" "$cfg" > full_$eq.yaml  # all levels from t = 0: u0 for the Cole-Hopf reference
  for v in base dt4 fine full; do
    "$BUILD/bin/pdesym" generate --config ${v}_$eq.yaml --out ${v}_$eq.h5 --train 0 --valid 0 --test 8 --no-progress > /dev/null
    ds=$(h5dump -H ${v}_$eq.h5 | grep -o 'pde_[0-9-]*' | head -1)
    h5dump -d /test/$ds -b LE -o ${v}_$eq.bin ${v}_$eq.h5 > /dev/null
  done
done
python3 - <<'PY'
import array, cmath, math
def load(f, nt, nx=100, ntraj=8):
    a = array.array('d'); a.frombytes(open(f, 'rb').read())
    assert len(a) == ntraj * nt * nx, f
    return lambda i, n, j: a[(i * nt + n) * nx + j]
def rel(u, ref, levels):
    worst = 0
    for i in range(8):
        m = max(abs(ref(i, n, j)) for n in levels for j in range(100))
        worst = max(worst, max(abs(u(i, n, j) - ref(i, n, j)) for n in levels for j in range(100)) / m)
    return worst
for eq in ['kdv', 'burgers']:
    base = load(f'base_{eq}.bin', 80)
    print(f'{eq}: dt vs dt/4 {rel(base, load(f"dt4_{eq}.bin", 80), range(80)):.1e}, '
          f'stored grid vs 4x finer solve {rel(base, load(f"fine_{eq}.bin", 80), range(80)):.1e}')
full, L = load('full_burgers.bin', 100), 20.0
def cole_hopf(i, M, t, mmax=60):
    u0 = [full(i, 0, j) for j in range(100)]  # band-limited (modes 1..10): its trigonometric interpolant is exact
    c = [sum(u0[j] * cmath.exp(-2j * math.pi * m * j / 100) for j in range(100)) / 100 for m in range(11)]
    uf = [c[0].real + 2 * sum((c[m] * cmath.exp(2j * math.pi * m * l / M)).real for m in range(1, 11)) for l in range(M)]
    top = max(uf)
    psi0 = [math.exp(v - top) for v in uf]
    ph = {m: sum(psi0[l] * cmath.exp(-2j * math.pi * m * l / M) for l in range(M)) / M for m in range(-mmax, mmax + 1)}
    return [math.log(sum((ph[m] * math.exp(-(2 * math.pi * m / L) ** 2 * t) * cmath.exp(2j * math.pi * m * j / 100)).real
                         for m in ph)) + top for j in range(100)]
base = load('base_burgers.bin', 80)
worst = worst_ref = 0
for i in range(8):
    for n in (0, 40, 79):
        t = 0.4 + 0.02 * n
        r, r2 = cole_hopf(i, 1600, t), cole_hopf(i, 800, t)
        m = max(abs(v) for v in r)
        worst = max(worst, max(abs(base(i, n, j) - r[j]) for j in range(100)) / m)
        worst_ref = max(worst_ref, max(abs(r2[j] - r[j]) for j in range(100)) / m)
print(f'burgers: stored levels 0, 40, 79 vs Cole-Hopf {worst:.1e} (reference on 800 vs 1600 points: {worst_ref:.1e})')
PY
