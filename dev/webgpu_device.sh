#!/usr/bin/env bash
# dev/webgpu_device.sh — the WebGPU checks for a lent GPU machine, in one call: the backend
# conformance suite on the GPU's WebGPU adapter, the tiny cpu-vs-webgpu training test (per-op and
# resident), `npm run bench -- webgpu` (WGSL GEMM vs PyTorch cuBLAS fp32 on the same GPU) and
# `npm run bench -- webgpu-step` (a resident training step vs PyTorch eager CUDA).
# Usage: bash dev/webgpu_device.sh [conformance] [train] [gemm] [decode] [step] [--tiles=...] (default: all;
# decode = the resident-decoding and f16 tests + the decode-shape GEMM bench alone). That machine has CUDA and PyTorch but no Node.js, so the
# call carries them (prepared here by dev/webgpu_device_prep.sh):
#   .devpkg/node.xz (a stripped node binary), .devpkg/dawn.xz + .devpkg/webgpu/ (the npm `webgpu`
#   package), .gl/*.deb (Debian's Vulkan + GL loaders), and dist/ (the compiled project).
# Device tool call: carry [".devpkg", ".gl", "dist"], command `bash dev/webgpu_device.sh`.
# Results land in $OUT (conformance.txt, bench.txt).
set -uo pipefail
source dev/device_env.sh
parts=() flags=()
for a in "$@"; do case "$a" in --*) flags+=("$a") ;; *) parts+=("$a") ;; esac; done
[ ${#parts[@]} -eq 0 ] && parts=(conformance train gemm decode step)
for p in "${parts[@]}"; do
  echo "== $p"
  case "$p" in
    conformance) node --test dist/test/backend/webgpu.test.js > "$OUT/conformance.txt" 2>&1
      grep -E "adapter|^# (pass|fail)|^\s+not ok" "$OUT/conformance.txt" | head -40 ;;
    train) node --test dist/test/backend/webgpu_train.test.js > "$OUT/train.txt" 2>&1
      grep -E "largest|^# (pass|fail)|^\s+not ok" "$OUT/train.txt" | head -20 ;;
    gemm) node dist/bench/main.js webgpu "${flags[@]}" 2>&1 | tee "$OUT/bench.txt" ;;
    decode) node --test dist/test/backend/webgpu_generate.test.js dist/test/backend/webgpu_half.test.js > "$OUT/decode.txt" 2>&1
      grep -E "^# (pass|fail)|^\s*not ok" "$OUT/decode.txt" | head -20
      node dist/bench/main.js webgpu --decode 2>&1 | grep -v Warning | tee "$OUT/decode_bench.txt" ;;
    step) node dist/bench/main.js webgpu-step "${flags[@]}" 2>&1 | grep -v Warning | tee "$OUT/step.txt" ;;
    *) echo "unknown part $p (conformance, train, gemm, decode, step)"; exit 2 ;;
  esac
done
