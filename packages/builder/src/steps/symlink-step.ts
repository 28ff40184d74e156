// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { StepEnv, StepOf } from './step-context.js';

/**
 * `symlink`: `link` → `target`, the target stored verbatim. An existing `link` (not followed)
 * → BUILD_STEP_FAILED unless `force`, which replaces it: a file, a symlink, or a directory with
 * everything in it (`rm -rf` + `ln -s`: Debian's apache2 leaves `/var/www/html` where an image
 * wants a link to its document root).
 */
export function runSymlink(step: StepOf<'symlink'>, env: StepEnv): void {
  const { rootfs } = env;
  const canonical = rootfs.resolve(step.link, { followFinal: false });
  const existing = rootfs.get(canonical);
  if (existing !== undefined) {
    if (!step.force) {
      throw new VcError('BUILD_STEP_FAILED', `${step.link} already exists`, {
        hint: 'set force = true to replace it',
      });
    }
    rootfs.remove(canonical);
  }
  rootfs.put(canonical, { type: 'l', target: step.target });
}
