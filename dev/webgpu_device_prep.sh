#!/usr/bin/env bash
# dev/webgpu_device_prep.sh — prepare what dev/webgpu_device.sh carries to a lent GPU machine:
# a stripped, xz-compressed node binary, the npm `webgpu` package (Dawn), Debian's Vulkan and GL
# loaders (libvulkan1, libglvnd: NVIDIA's Vulkan ICD needs both) and
# the compiled project (npm run build:ts). The folders are git-ignored through .git/info/exclude.
# The device tool sends at most 64 MiB: node (22 MB) + Dawn (5 MB) + dist fit beside the tracked
# files only if the large tracked weights are left behind (see the note printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.gl/' .git/info/exclude || printf '/.gl/\n/.devpkg/\n' >> .git/info/exclude
mkdir -p .devpkg/webgpu .gl
[ -f .devpkg/node.xz ] || { strip -o /tmp/node.stripped "$(readlink -f "$(command -v node)")"; xz -T1 -6 -c /tmp/node.stripped > .devpkg/node.xz; }
[ -f .devpkg/dawn.xz ] || xz -T1 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > .devpkg/dawn.xz
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .devpkg/webgpu/
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
npm run build:ts --silent
du -sh .devpkg .gl dist
echo "tracked files: $(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1) bytes; over ~35 MB, untrack the weights for the call:"
echo "  git rm -q --cached models/tokenizer/*.safetensors models/retriever/*.safetensors models/lm/*.safetensors; printf '/models/\n' >> .git/info/exclude"
echo "and afterwards: git reset -q HEAD -- models; sed -i '/^\/models\/$/d' .git/info/exclude"
