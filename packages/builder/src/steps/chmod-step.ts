// SPDX-License-Identifier: Apache-2.0
import { noSuchFile, parseMode } from './rootfs.js';
import type { StepEnv, StepOf } from './step-context.js';

/**
 * `chmod`: `mode` on the entry `path` leads to (a final symlink is followed, as chmod(2) does).
 * Recursive: `mode` on directories, `fileMode` on other files, symlinks below skipped.
 */
export function runChmod(step: StepOf<'chmod'>, env: StepEnv): void {
  const { rootfs } = env;
  const canonical = rootfs.resolve(step.path);
  const entry = rootfs.get(canonical);
  if (entry === undefined) throw noSuchFile(step.path);
  const mode = parseMode(step.mode);
  if (!step.recursive) {
    rootfs.update(canonical, { mode });
    return;
  }
  const fileMode = parseMode(step.fileMode);
  for (const e of rootfs.walk(canonical)) {
    if (e.type === 'l') continue;
    rootfs.update(e.path, { mode: e.type === 'd' ? mode : fileMode });
  }
}
