#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the pinned pnpm (from package.json) when it is missing, then the workspace's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$want" ]; then
  echo "installing pnpm $want" >&2
  npm install --global --no-fund --no-audit "pnpm@$want" >&2
fi
CI=true pnpm install --frozen-lockfile --reporter=append-only >&2
