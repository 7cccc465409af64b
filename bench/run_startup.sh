#!/usr/bin/env bash
# Process start-up of the pdesym CLI: CPU seconds (user + sys, /usr/bin/time) and wall seconds of `pdesym --version`
# and of `pdesym generate` of one small trajectory (configs/kdv.yaml at nx = 64, T = 1, 11 stored steps), for each
# binary given, interleaved over ROUNDS rounds; medians and min-max.
# Usage: bench/run_startup.sh PDESYM [PDESYM ...]   (e.g. an older build's binary against build/bin/pdesym)
set -euo pipefail
ROUNDS=${ROUNDS:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1
sed -e 's/^  nx: 256/  nx: 64/' -e 's/^  T: 100.0/  T: 1.0/' -e 's/^  nt: 140/  nt: 11/' "$HERE/../configs/kdv.yaml" > "$TMP/tiny.yaml"
for r in $(seq "$ROUNDS"); do
  for b in "$@"; do
    /usr/bin/time -f "$b version %U %S %e" "$b" --version > /dev/null 2>> "$TMP/log"
    /usr/bin/time -f "$b generate %U %S %e" "$b" generate --config "$TMP/tiny.yaml" --out "$TMP/o.h5" --train 1 \
      --valid 0 --test 0 > /dev/null 2>> "$TMP/log"
    rm -f "$TMP/o.h5"
  done
done
/usr/bin/python3 - "$TMP/log" <<'PYEOF'
import collections, statistics as st, sys
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    b, what, u, s, e = line.split()
    rows.setdefault((b, what), []).append((float(u) + float(s), float(e)))
for (b, what), v in rows.items():
    cpu = [x[0] for x in v]; wall = [x[1] for x in v]
    print("%-50s %-9s CPU %.3f s (%.3f-%.3f), wall %.3f s (%.3f-%.3f), %d runs"
          % (b, what, st.median(cpu), min(cpu), max(cpu), st.median(wall), min(wall), max(wall), len(v)))
PYEOF
