#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's second command: build, type-check, lint and run every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-toolchain.sh
bash scripts/ensure-system-packages.sh
pnpm run --silent build
pnpm run --silent typecheck
pnpm run --silent lint:check
pnpm run --silent format:check
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
pnpm exec vitest run --project '!slow' --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node scripts/test-summary.js "$report"
exit "$status"
