// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** Node's `process.arch` → Debian architecture name. */
const DEBIAN_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'armhf',
  ia32: 'i386',
  ppc64: 'ppc64el',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The Debian name of the host's architecture, or undefined for one Debian does not build. */
export function debianArchitecture(nodeArch: string): string | undefined {
  return DEBIAN_ARCH[nodeArch];
}

/**
 * The architecture a build targets: the manifest's, which must be the host's (01 §2,
 * BUILD_ARCH_UNSUPPORTED), or the host's when the manifest names none.
 */
export function buildArchitecture(declared: string | undefined, nodeArch: string): string {
  const host = debianArchitecture(nodeArch);
  if (host === undefined) {
    throw new VcError(
      'BUILD_ARCH_UNSUPPORTED',
      `the host architecture ${nodeArch} has no Debian equivalent`,
    );
  }
  if (declared !== undefined && declared !== host) {
    throw new VcError(
      'BUILD_ARCH_UNSUPPORTED',
      `package.architecture is ${declared}, but this host is ${host}; cross-builds are not supported`,
      { hint: `build on a ${declared} host, or remove package.architecture` },
    );
  }
  return declared ?? host;
}
