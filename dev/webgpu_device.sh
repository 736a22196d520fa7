#!/usr/bin/env bash
# dev/webgpu_device.sh — the WebGPU checks for a lent GPU machine, in one call: the backend
# conformance suite on the GPU's WebGPU adapter and `npm run bench -- webgpu` (WGSL GEMM vs
# PyTorch cuBLAS fp32 on the same GPU). That machine has CUDA and PyTorch but no Node.js, so the
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
echo "== conformance"
node --test dist/test/backend/webgpu.test.js > "$OUT/conformance.txt" 2>&1
grep -E "adapter|^# (pass|fail)|^\s+not ok" "$OUT/conformance.txt" | head -40
echo "== bench"
node dist/bench/main.js webgpu "$@" 2>&1 | tee "$OUT/bench.txt"
