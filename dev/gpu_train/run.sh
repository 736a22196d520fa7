#!/usr/bin/env bash
# dev/gpu_train/run.sh — train the image tokenizer or the retriever resident on a lent GPU (WebGPU
# through Dawn) from a pack written here by dev/gpu_train/pack.mjs, in one device call:
#   device tool: carry [".devpkg", ".gl", "dist", ".gpupack/vq.json.xz", ".gpupack/vq_train.u8.xz",
#   ".gpupack/vq_eval.u8.xz"], command `bash dev/gpu_train/run.sh vq --preset vq256 --steps 8000 --batch 32`
#   (retriever: the retriever*.xz files and `bash dev/gpu_train/run.sh retriever --steps ... --batch ...`).
# The working tree must stay under 64 MiB: take the committed model files out of the index for the
# call (see docs/webgpu.md). Back in $OUT: train.txt, train_log.jsonl, loss.svg, the bf16 weights and,
# when they fit the 16 MiB-per-file limit in 15 MiB pieces, the f32 checkpoint with optimizer state
# (ckpt.part-*; `cat ckpt.part-* > X.safetensors` to resume here). BUDGET (default 500 s) stops the
# run early; the last checkpoint (written at each --eval-every) is what comes back then.
set -uo pipefail
source dev/device_env.sh
what=$1; shift
# Stop before the call's limit (BUDGET seconds; a device call may run 600 s including the setup
# above): the checkpoint of the last evaluation is then still exported and brought back.
timeout -s INT "${BUDGET:-500}" node dev/gpu_train/train.mjs "$what" --pack .gpupack --out /tmp/gpu_out "$@" 2>&1 \
  | grep --line-buffered -v -e '^Warning:' -e 'BackendVk.cpp' | tee "$OUT/train.txt"
rc=${PIPESTATUS[0]}
ck=$(ls /tmp/gpu_out/*.safetensors 2>/dev/null | grep -v _bf16 | head -1)
if [ -n "$ck" ] && [ ! -f "${ck%.safetensors}_bf16.safetensors" ]; then
  node --input-type=module -e "import { exportWeights } from '$PWD/dist/src/io/checkpoint.js'; exportWeights('$ck', '${ck%.safetensors}_bf16.safetensors', 'bf16');"
fi
cp /tmp/gpu_out/*_bf16.safetensors /tmp/gpu_out/train_log.jsonl /tmp/gpu_out/loss.svg "$OUT/" 2>/dev/null
if [ -n "$ck" ] && [ "$(stat -c %s "$ck")" -le $((45 * 1024 * 1024)) ]; then split -b 15M -d "$ck" "$OUT/ckpt.part-"; fi
ls -la "$OUT"
echo "train.mjs exit status $rc (124: stopped at BUDGET; the last checkpoint came back)"
exit "$rc"
