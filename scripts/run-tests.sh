#!/usr/bin/env bash
# The test command (README, .ci/run): installs missing Debian packages, builds, runs the GoogleTest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1
cd "${PDESYM_BUILD_DIR:-build}"
ctest --output-on-failure -j "${PDESYM_TEST_JOBS:-2}" --timeout 900
