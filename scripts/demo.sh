#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command: set everything up and run the main job: validate and explain the
# examples, then (as root, with the Debian mirror reachable) build the hello example on the shipped
# cerro-torre/debian:bookworm-slim base, read it back with skopeo and run it under runc.
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

mirror="${CT_APT_MIRROR:-http://deb.debian.org/debian}"
if [ "$(id -u)" != 0 ] || ! curl -fsS -o /dev/null --max-time 10 "$mirror/dists/bookworm/InRelease" 2>/dev/null; then
  echo "demo: not root or $mirror unreachable: skipping the build" >&2
  echo "demo: ok" >&2
  exit 0
fi
bash scripts/ensure-system-packages.sh
export VC_ROOT="${VC_ROOT:-$PWD/.demo/store}"
work="$(mktemp -d /tmp/ct-demo-XXXXXX)"
id="ct-demo-$$"
cleanup() { runc delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
ct build examples/hello/hello.ctp --out .demo/dist
echo "\$ skopeo inspect oci:\$VC_ROOT/images:hello:1.0.0" >&2
skopeo inspect "oci:$VC_ROOT/images:hello:1.0.0" | grep -E '"(Digest|Architecture)"' >&2
echo "\$ umoci unpack … && runc run" >&2
umoci unpack --image "$VC_ROOT/images:hello:1.0.0" "$work/bundle" >/dev/null
sed -i 's/"terminal": *true/"terminal":false/' "$work/bundle/config.json"
runc run --bundle "$work/bundle" "$id"
echo "demo: ok" >&2
