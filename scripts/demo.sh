#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command: set everything up and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-toolchain.sh
pnpm run --silent build
ct() { echo "\$ cerro-torre $*" >&2; node packages/builder/dist/bin.js "$@"; }
ct --version
ct validate examples/hello/hello.ctp
ct explain examples/hello/hello.ctp
ct validate examples/php-aegis-wordpress/php-aegis-wordpress.ctp
ct explain examples/php-aegis-wordpress/php-aegis-wordpress.ctp
echo "demo: ok" >&2
