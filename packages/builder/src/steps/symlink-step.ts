// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { isADirectory } from './rootfs.js';
import type { StepEnv, StepOf } from './step-context.js';

/**
 * `symlink`: `link` → `target`, the target stored verbatim. An existing `link` (not followed)
 * → BUILD_STEP_FAILED unless `force`, which replaces a file or symlink but never a directory.
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
    if (existing.type === 'd') throw isADirectory(step.link);
  }
  rootfs.put(canonical, { type: 'l', target: step.target });
}
