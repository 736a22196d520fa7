#!/usr/bin/env bash
# dev/device_env.sh — sourced by the scripts that run on a lent GPU machine (webgpu_device.sh,
# gpu_train/run.sh): unpacks what the call carried (.gl/*.deb loaders, .devpkg/node.xz, the npm
# `webgpu` package with Dawn), points Vulkan/EGL at the NVIDIA driver, prints the GPU and sets OUT.
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
