#!/usr/bin/env bash
# scripts/system-deps.sh — the Debian/Ubuntu packages cm3leon needs to build and test.
# Used by scripts/setup.sh (a new machine) and .ci/run (CI), so both install the same set.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
# Mesa's EGL + llvmpipe: the WebGPU backend's tests run on Dawn's OpenGL ES path without a GPU.
# Chromium: the browser test (test/web/browser.test.ts) runs the engine on WebGPU in headless
# Chromium, on its bundled SwiftShader when there is no GPU.
PKGS=(g++ make python3 libopenblas-dev libopenblas-pthread-dev libegl1 libegl-mesa0 libgl1-mesa-dri chromium)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# Benchmark peers only (npm run bench): PyTorch from Debian. Opt in with CM3LEON_BENCH_DEPS=1.
if [ "${CM3LEON_BENCH_DEPS:-0}" = 1 ] && ! dpkg -s python3-torch >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "cm3leon needs Node.js >= 20 with npm (not found on PATH)." >&2
  exit 1
fi
