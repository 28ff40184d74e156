#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages the integration tests and the builder use, when missing (root only;
# elsewhere the tests that need them are skipped).
set -euo pipefail
packages=(runc skopeo umoci busybox-static xz-utils docker-registry secilc mmdebstrap hyperfine python3-securesystemslib attr conmon nftables podman)
[ "$(id -u)" = 0 ] || { echo "not root: skipping apt packages (${packages[*]})" >&2; exit 0; }
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
