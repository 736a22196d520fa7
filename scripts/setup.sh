#!/usr/bin/env bash
# scripts/setup.sh — everything a fresh Debian/Ubuntu machine needs, then the quick-start job:
# system packages, npm ci (builds the native addon and the TypeScript), `cm3leon demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
npm ci
npx cm3leon demo "$@"
