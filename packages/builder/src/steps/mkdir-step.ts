// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { parseMode } from './rootfs.js';
import type { StepEnv, StepOf } from './step-context.js';

/** `mkdir`: the directory and missing parents (0755, 0:0); an existing directory gets `mode`. */
export function runMkdir(step: StepOf<'mkdir'>, env: StepEnv): void {
  const { rootfs } = env;
  const canonical = rootfs.resolve(step.path);
  const existing = rootfs.get(canonical);
  if (existing !== undefined && existing.type !== 'd') {
    throw new VcError('BUILD_STEP_FAILED', `${step.path} exists and is not a directory`);
  }
  rootfs.mkdirp(canonical);
  rootfs.update(canonical, { mode: parseMode(step.mode) });
}
