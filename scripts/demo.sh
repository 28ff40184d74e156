#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's first command: set everything up and run the main job: validate and explain the
# examples, then (as root, with the Debian mirror reachable) build the hello example on the shipped
# cerro-torre/debian:bookworm-slim base, signed by three local keyholder keys and published to two
# transparency logs (one served on loopback, one file: log), verify it, check the logs, read it back
# with skopeo and run it under runc.
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
server=""
cleanup() {
  runc delete --force "$id" >/dev/null 2>&1 || true
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Three keyholder keys (2-of-3) and the manifest's two logs: cerro-torre-log served on loopback
# (port 8470, as the manifest says) and local-file-log, a file: log next to the manifest.
for keyholder in maintainer-1 maintainer-2 release-bot; do
  [ -f "$VC_ROOT/keys/$keyholder.key" ] || ct keygen --id "$keyholder" --no-passphrase >/dev/null
done
served="$VC_ROOT/logs/cerro-torre-log"
[ -f "$served/log.pub" ] || ct log init --dir "$served" --origin cerro-torre-log --no-passphrase >/dev/null
[ -f examples/hello/logs/local-file-log/log.pub ] ||
  ct log init --dir examples/hello/logs/local-file-log --origin local-file-log --no-passphrase >/dev/null
echo "\$ cerro-torre log serve --dir $served --port 8470 &" >&2
node packages/builder/dist/bin.js log serve --dir "$served" --port 8470 >"$work/serve.out" &
server=$!
for _ in $(seq 100); do
  grep -q listening "$work/serve.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "demo: log serve failed" >&2; exit 1; }
  sleep 0.1
done
[ -f "$VC_ROOT/keys/trust-store.json" ] || ct trust init --manifest examples/hello/hello.ctp --dev >/dev/null

ct build examples/hello/hello.ctp --out .demo/dist
ct verify hello:1.0.0
ct check-transparency hello:1.0.0
echo "\$ skopeo inspect oci:\$VC_ROOT/images:hello:1.0.0" >&2
skopeo inspect "oci:$VC_ROOT/images:hello:1.0.0" | grep -E '"(Digest|Architecture)"' >&2
echo "\$ umoci unpack … && runc run" >&2
umoci unpack --image "$VC_ROOT/images:hello:1.0.0" "$work/bundle" >/dev/null
sed -i 's/"terminal": *true/"terminal":false/' "$work/bundle/config.json"
runc run --bundle "$work/bundle" "$id"
echo "demo: ok" >&2
