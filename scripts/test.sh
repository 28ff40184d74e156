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
# VC_TEST_SLOW=1 adds the slow suite (network, real Debian installs and builds); CI sets it.
projects=(--project '!slow')
[ "${VC_TEST_SLOW:-0}" = 1 ] && projects=()
pnpm exec vitest run "${projects[@]}" --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node scripts/test-summary.js "$report"
exit "$status"
