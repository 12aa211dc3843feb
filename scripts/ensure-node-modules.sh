#!/usr/bin/env bash
# Installs the npm packages from the lock file when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[setup] installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
