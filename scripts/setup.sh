#!/usr/bin/env bash
# scripts/setup.sh — everything a fresh Debian/Ubuntu machine needs, then the quick-start job:
# system packages, npm ci (builds the native addon and the TypeScript), then the main job:
# four images from the shipped model (`cm3leon generate`; extra arguments replace the prompt/options).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
npm ci
if [ "$#" -gt 0 ]; then npx cm3leon generate "$@"; else npx cm3leon generate "a red heart" -n 4 -o out/; fi
