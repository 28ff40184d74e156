// SPDX-License-Identifier: Apache-2.0
import { resolveInRootfsSync } from '../rootfs/resolve-path.js';

/**
 * The host path of the container path `inside` under `rootfs`, symlinks resolved inside the
 * rootfs (see {@link resolveInRootfsSync}).
 */
export function resolveInRootfs(rootfs: string, inside: string): Promise<string> {
  return Promise.resolve(resolveInRootfsSync(rootfs, inside));
}
