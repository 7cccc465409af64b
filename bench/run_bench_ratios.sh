#!/usr/bin/env bash
# pdesym against its Python peers on this machine, in one run (absolute timings on a shared VM are noisy; ratios
# of interleaved runs much less so).
#  1. Training: samples/s of the full-size FNO-1d (width 256, 32 modes, 5 layers, batch 16, nx 256, tw 20), one
#     thread each, REPEATS rounds of: bench_train (pdesym's train() loop, 1 rank, wall clock), bench_fno_step (the
#     bare step: zero_grad, forward, loss, backward, AdamW; wall clock and process CPU time) and
#     bench/peer_fno_train.py (PyTorch 1.13, the same model and bare step; wall and CPU). Medians, spreads
#     (min-max), ratios of the medians and the range of the per-round ratios, the load average at each round's
#     start; the achieved fraction of the fp32 FMA peak (from the CPU-time rate of the bare step: time other jobs
#     held the core is not counted) and of a measured ceiling (a 1024^3 float GEMM on the same core).
#  2. Generation: bench/peer_kdv_radau.py: CPU seconds per KdV trajectory of `pdesym generate` vs scipy Radau
#     (LPSDA's method) on the same N initial conditions, for each config of GEN_CONFIGS (default: configs/kdv.yaml,
#     fixed dt = 0.005, and configs/kdv-rtol.yaml, the same with solver.rtol = 1e-6) and, with GEN_RTOLS="R ...",
#     each config at solver.rtol = R too, with GEN_MEASURE=1 every variant also with solver.fft_planning: measure;
#     per round every variant runs once and Radau once (same round, same initial conditions).
# Needs the targets bench_train, bench_fno_step and pdesym in BUILD_DIR (Release).
# Usage: bench/run_bench_ratios.sh [BUILD_DIR] (default build); REPEATS (default 5; 0 skips part 1), GEN_N
# (default 9; 0 skips part 2), GEN_REPEATS (default 3: rounds of part 2, configs interleaved; medians and min-max), PYTHON (default /usr/bin/python3: Debian's, with python3-torch and python3-scipy).
set -euo pipefail
BUILD=${1:-build}
REPEATS=${REPEATS:-5}
GEN_N=${GEN_N:-9}
GEN_REPEATS=${GEN_REPEATS:-3}
PY=${PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
GEN_CONFIGS=${GEN_CONFIGS:-"$HERE/../configs/kdv.yaml $HERE/../configs/kdv-rtol.yaml"}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1
W=256 M=32 L=5 BS=16 NX=256 TW=20
if [ "$REPEATS" -gt 0 ]; then
tr=() sw=() sc=() pw=() pc=() gg=() la=()
for r in $(seq "$REPEATS"); do
  l=$(cut -d' ' -f1 /proc/loadavg)
  t=$("$BUILD/bin/bench_train" --model fno --width $W --modes $M --layers $L --batch-size $BS --nx $NX \
        --samples 64 --threads 1 | awk -F'|' '{gsub(/ /, "", $8); print $8}')
  step_out=$("$BUILD/bin/bench_fno_step" --width $W --modes $M --layers $L --batch-size $BS --nx $NX \
        --tw $TW --steps 4 --threads 1)
  read -r _ a b < <(grep '^step_samples_per_second' <<<"$step_out")
  read -r _ g < <(grep '^gemm_gflops' <<<"$step_out")
  read -r c d < <("$PY" "$HERE/peer_fno_train.py" --threads 1 --width $W --modes $M --layers $L --batch-size $BS \
        --nx $NX --tw $TW --steps 4 --warmup 1)
  echo "round $r (load average $l): bench_train $t, bench_fno_step $a (CPU $b), Python peer $c (CPU $d) samples/s;" \
       "GEMM ceiling $g GFLOP/s" >&2
  tr+=("$t"); sw+=("$a"); sc+=("$b"); pw+=("$c"); pc+=("$d"); gg+=("$g"); la+=("$l")
done
"$PY" - "${tr[*]}" "${sw[*]}" "${sc[*]}" "${pw[*]}" "${pc[*]}" "${gg[*]}" "${la[*]}" $W $M $L $NX $TW <<'PYEOF'
import re, statistics as st, sys
tr, sw, sc, pw, pc, gg, la = ([float(v) for v in a.split()] for a in sys.argv[1:8])
w, m, L, nx, tw = map(int, sys.argv[8:13])
h = 128
print("training, full-size FNO, 1 thread, %d interleaved rounds, load average %.1f-%.1f at their starts "
      "(samples/s: median, spread min-max):" % (len(tr), min(la), max(la)))
def row(name, v):
    print("  %-40s %7.1f  (%.1f-%.1f)" % (name, st.median(v), min(v), max(v)))
row("pdesym train() loop (bench_train), wall", tr)
row("pdesym bare step (bench_fno_step), wall", sw)
row("pdesym bare step (bench_fno_step), CPU", sc)
row("Python peer, wall", pw)
row("Python peer, CPU", pc)
def ratio(name, a, b):
    r = sorted(x / y for x, y in zip(a, b))
    print("  ratio %-34s %5.2fx (per round %.2f-%.2f)" % (name, st.median(a) / st.median(b), r[0], r[-1]))
ratio("train() loop / peer, wall", tr, pw)
ratio("bare step / peer, wall", sw, pw)
ratio("bare step / peer, CPU", sc, pc)
mc = st.median(sc)
# FLOPs per sample, forward + backward (backward = 2x forward, minus the lift's input gradient).
pw = nx * ((tw + 2) * w + L * w * w + w * h + h * tw)        # pointwise multiply-adds
mode = L * m * 2 * (2 * w) * w                                # per-mode real GEMMs, 2 rows per sample
dft = L * 2 * (2 * m) * nx * w                                # forward + inverse DFT GEMMs
executed = 2 * 3 * (pw + mode + dft) - 2 * nx * (tw + 2) * w
fft = L * 2 * w * 2.5 * nx * __import__("math").log2(nx)      # the same transforms as real FFTs (~2.5 n log2 n each)
model = 2 * 3 * (pw + mode) + 3 * fft - 2 * nx * (tw + 2) * w
flags = open("/proc/cpuinfo").read()
lanes = 16 if re.search(r"\bavx512f\b", flags) else 8 if re.search(r"\bavx2\b", flags) else 4
fma = 2 if re.search(r"\bfma\b", flags) else 0
mhz = float(re.search(r"cpu MHz\s*:\s*([\d.]+)", flags).group(1))
name = re.search(r"model name\s*:\s*(.*)", flags).group(1)
peak = lanes * 2 * max(fma, 1) * mhz * 1e6  # lanes x (2 flops per FMA) x FMA units x clock
print("  FLOP/sample: %.3g executed (DFT as GEMMs), %.3g model (transforms counted as FFTs)" % (executed, model))
print("  fp32 peak of one core of '%s': %d lanes x 2 FMA units x 2 x %.0f MHz = %.1f GFLOP/s (assumed: 2 FMA "
      "units, the reported clock)" % (name, lanes, mhz, peak / 1e9))
print("  pdesym bare step, CPU-time median: %.1f GFLOP/s executed = %.0f%% of peak (model FLOPs: %.0f%%), AdamW "
      "included" % (mc * executed / 1e9, 100 * mc * executed / peak, 100 * mc * model / peak))
g = st.median(gg)
print("  measured ceiling: 1024^3 float GEMM (bench_fno_step, best CPU time) %.1f GFLOP/s (%.1f-%.1f) = %.0f%% of the "
      "peak above; the bare step runs at %.0f%% of it" % (g, min(gg), max(gg), 100e9 * g / peak, 100 * mc * executed / (g * 1e9)))
PYEOF
fi
if [ "$GEN_N" -gt 0 ]; then
GEN_LOG=$(mktemp)
for r in $(seq "$GEN_REPEATS"); do
  echo "generation round $r (load average $(cut -d' ' -f1 /proc/loadavg)), KdV, $GEN_N trajectories:" >&2
  # shellcheck disable=SC2086
  out=$("$PY" "$HERE/peer_kdv_radau.py" "$BUILD/bin/pdesym" --n "$GEN_N" --config $GEN_CONFIGS \
        ${GEN_RTOLS:+--rtols $GEN_RTOLS} ${GEN_MEASURE:+--measure})
  grep -v '^seconds ' <<< "$out" | sed 's/^/  /' >&2
  grep '^seconds ' <<< "$out" | sed 's/^seconds //' >> "$GEN_LOG"
done
"$PY" - "$GEN_LOG" "$GEN_N" <<'PYEOF'
import collections, statistics as st, sys
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    cfg, *v = line.split()
    rows.setdefault(cfg, []).append([float(x) for x in v[:3]])  # ours, startup, peer
print("generation vs LPSDA's method (scipy Radau rtol 1e-9), %s trajectories, %d rounds (median, min-max):"
      % (sys.argv[2], len(next(iter(rows.values())))))
n = int(sys.argv[2])
for cfg, rs in rows.items():
    ours = [r[0] for r in rs]; net = [r[0] - r[1] / n for r in rs]; peer = [r[2] for r in rs]
    ratio = [r[2] / r[0] for r in rs]; ratio_net = [r[2] / (r[0] - r[1] / n) for r in rs]
    f = lambda v, fmt: (fmt + " (" + fmt + "-" + fmt + ")") % (st.median(v), min(v), max(v))
    print("  %-38s pdesym %s s/traj, without start-up %s, Radau %s s/traj; ratio per core %s, without start-up %s"
          % (cfg, f(ours, "%.4f"), f(net, "%.4f"), f(peer, "%.2f"), f(ratio, "%.1fx"), f(ratio_net, "%.1fx")))
PYEOF
rm -f "$GEN_LOG"
fi
