// SPDX-License-Identifier: Apache-2.0
import { resolveId } from './account-db.js';
import { noSuchFile } from './rootfs.js';
import type { StepEnv, StepOf } from './step-context.js';

/**
 * `chown`: names are looked up in the rootfs `/etc/passwd` and `/etc/group` as they are at this
 * step (BUILD_USER_UNKNOWN); numeric ids are taken as they are. Symlinks are never followed: a
 * final symlink is changed itself, and a recursive walk does not enter them.
 */
export async function runChown(step: StepOf<'chown'>, env: StepEnv): Promise<void> {
  const { rootfs } = env;
  const uid = step.user === undefined ? undefined : await resolveId(rootfs, 'user', step.user);
  const gid = step.group === undefined ? undefined : await resolveId(rootfs, 'group', step.group);
  const canonical = rootfs.resolve(step.path, { followFinal: false });
  if (rootfs.get(canonical) === undefined) throw noSuchFile(step.path);
  const targets = step.recursive ? rootfs.walk(canonical).map((e) => e.path) : [canonical];
  for (const path of targets) {
    rootfs.update(path, {
      ...(uid === undefined ? {} : { uid }),
      ...(gid === undefined ? {} : { gid }),
    });
  }
}
