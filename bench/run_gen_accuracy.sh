#!/usr/bin/env bash
# KdV generation accuracy against the PDE, pdesym vs LPSDA's method on the same initial conditions (issue #15).
#  1. bench_solvers --pde-check CONFIG RTOLS CASES --dealias DEALIAS --dump DIR: per case and variant (fixed dt of
#     the config, or dt 0.005, and each rtol) the error against a converged reference (nx = 4x, 2/3 rule, rtol
#     1e-10, on the stored grid), the time error alone (against dt/4 at the config's nx) and the integration CPU
#     time; writes u0, t and the reference of each case.
#  2. bench/peer_kdv_accuracy.py DIR: scipy Radau rtol = atol = 1e-9 (LPSDA's method, not dealiased) on the same
#     cases: error against the same reference, CPU time, and its time error against Radau rtol 1e-12 on the first
#     REF_N cases.
#  3. A summary: per variant, max / mean PDE error, on how many cases it is <= Radau's, and the ratio of the mean
#     integration CPU times (the two runs are sequential, not interleaved: for the per-core ratio with start-up and
#     file output, interleaved, use run_bench_ratios.sh).
# Usage: bench/run_gen_accuracy.sh [BUILD_DIR]; CONFIG (default configs/kdv.yaml), RTOLS (default "1e-4 3e-5 1e-5
# 1e-6"), DEALIAS (default none), CASES (default "--samples 9"; "--worst 16": the 16 tallest of all splits),
# REF_N (default 3), PYTHON (default /usr/bin/python3).
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
CONFIG=${CONFIG:-$HERE/../configs/kdv.yaml}
RTOLS=${RTOLS:-"1e-4 3e-5 1e-5 1e-6"}
DEALIAS=${DEALIAS:-none}
CASES=${CASES:-"--samples 9"}
REF_N=${REF_N:-3}
PY=${PYTHON:-/usr/bin/python3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
# shellcheck disable=SC2086
"$BUILD/bin/bench_solvers" --pde-check "$CONFIG" $RTOLS $CASES --dealias "$DEALIAS" --dump "$DIR" | tee "$DIR/ours.txt"
"$PY" "$HERE/peer_kdv_accuracy.py" "$DIR" --ref-rtol 1e-12 --ref-n "$REF_N" | tee "$DIR/radau.txt"
"$PY" - "$DIR/ours.txt" "$DIR/radau.txt" <<'PYEOF'
import collections, re, statistics as st, sys
ours = collections.OrderedDict()  # variant -> list of (case, pde error)
case = None
for line in open(sys.argv[1]):
    m = re.match(r"  case (\d+) ", line)
    if m:
        case = int(m.group(1))
        continue
    m = re.match(r"    (.+?)\s+PDE error (\S+), time error (\S+), (\d+) steps", line)
    if m:
        ours.setdefault(m.group(1), []).append((case, float(m.group(2))))
cpu = {}
for line in open(sys.argv[1]):
    m = re.match(r"(fixed dt \S+|rtol \S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)$", line)
    if m:
        cpu[m.group(1)] = float(m.group(2))
radau = {}
for line in open(sys.argv[2]):
    m = re.match(r"case (\d+) .*PDE error (\S+), (\S+) s CPU", line)
    if m:
        radau[int(m.group(1))] = (float(m.group(2)), float(m.group(3)))
rp = [radau[k][0] for k in sorted(radau)]
rc = st.mean(radau[k][1] for k in radau)
print("summary, %d cases: Radau rtol 1e-9 PDE error max %.2e mean %.2e, %.3f CPU s/traj" % (len(rp), max(rp), st.mean(rp), rc))
for v, rows in ours.items():
    e = [x for _, x in rows]
    le = sum(1 for c, x in rows if x <= radau[c][0])
    print("  %-14s PDE error max %.2e mean %.2e; <= Radau's on %d of %d cases; integration CPU %.4f s/traj, Radau / "
          "pdesym %.0fx" % (v, max(e), st.mean(e), le, len(rows), cpu.get(v, float("nan")), rc / cpu.get(v, float("nan"))))
PYEOF
