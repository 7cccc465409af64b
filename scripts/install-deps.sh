#!/usr/bin/env bash
# Installs the Debian packages pdesym needs on a fresh Debian 12 (bookworm) machine.
# Idempotent: packages already present are skipped by apt.
# libopenblas0-pthread: an optimized BLAS/LAPACK. Debian's LibTorch links libblas.so.3 / liblapack.so.3, which
# the alternatives system points at the reference BLAS unless OpenBLAS is installed (which registers itself with
# a higher priority); bench/RESULTS-surrogates.md has the training throughput with both.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git
  libfftw3-dev libeigen3-dev
  libtorch-dev
  libopenblas0-pthread
  libhdf5-openmpi-dev libopenmpi-dev openmpi-bin
  libgtest-dev
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libpng-dev
  h5utils hdf5-tools
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
