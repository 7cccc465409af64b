#!/usr/bin/env bash
# Configures and builds pdesym into ./build (Release). Extra arguments go to cmake's configure step,
# e.g. scripts/build.sh -DPDESYM_WITH_TORCH=OFF
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PDESYM_BUILD_DIR:-build}
JOBS=${PDESYM_JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$BUILD_DIR" -j "$JOBS"
