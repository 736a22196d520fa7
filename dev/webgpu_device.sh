#!/usr/bin/env bash
# dev/webgpu_device.sh — the WebGPU checks for a lent GPU machine, in one call: the backend
# conformance suite on the GPU's WebGPU adapter, the tiny cpu-vs-webgpu training test (per-op and
# resident), `npm run bench -- webgpu` (WGSL GEMM vs PyTorch cuBLAS fp32 on the same GPU) and
# `npm run bench -- webgpu-step` (a resident training step vs PyTorch eager CUDA).
# Usage: bash dev/webgpu_device.sh [conformance] [train] [gemm] [step] [--tiles=...] (default: all). That machine has CUDA and PyTorch but no Node.js, so the
# call carries them (prepared here by dev/webgpu_device_prep.sh):
#   .devpkg/node.xz (a stripped node binary), .devpkg/dawn.xz + .devpkg/webgpu/ (the npm `webgpu`
#   package), .gl/*.deb (Debian's Vulkan + GL loaders), and dist/ (the compiled project).
# Device tool call: carry [".devpkg", ".gl", "dist"], command `bash dev/webgpu_device.sh`.
# Results land in $OUT (conformance.txt, bench.txt).
set -uo pipefail
OUT=${OUT:-/tmp/webgpu-out}
mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/nodebin && xz -dc .devpkg/node.xz > /tmp/nodebin/node && chmod +x /tmp/nodebin/node
export PATH=/tmp/nodebin:$PATH
mkdir -p node_modules/webgpu/dist/linux-x64
cp .devpkg/webgpu/* node_modules/webgpu/
xz -dc .devpkg/dawn.xz > node_modules/webgpu/dist/linux-x64/dawn.node
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
node --version
export CM3LEON_REQUIRE_WEBGPU=1 CM3LEON_WEBGPU_BACKEND=${CM3LEON_WEBGPU_BACKEND:-vulkan}
parts=() flags=()
for a in "$@"; do case "$a" in --*) flags+=("$a") ;; *) parts+=("$a") ;; esac; done
[ ${#parts[@]} -eq 0 ] && parts=(conformance train gemm step)
for p in "${parts[@]}"; do
  echo "== $p"
  case "$p" in
    conformance) node --test dist/test/backend/webgpu.test.js > "$OUT/conformance.txt" 2>&1
      grep -E "adapter|^# (pass|fail)|^\s+not ok" "$OUT/conformance.txt" | head -40 ;;
    train) node --test dist/test/backend/webgpu_train.test.js > "$OUT/train.txt" 2>&1
      grep -E "largest|^# (pass|fail)|^\s+not ok" "$OUT/train.txt" | head -20 ;;
    gemm) node dist/bench/main.js webgpu "${flags[@]}" 2>&1 | tee "$OUT/bench.txt" ;;
    step) node dist/bench/main.js webgpu-step "${flags[@]}" 2>&1 | grep -v Warning | tee "$OUT/step.txt" ;;
    *) echo "unknown part $p (conformance, train, gemm, step)"; exit 2 ;;
  esac
done
