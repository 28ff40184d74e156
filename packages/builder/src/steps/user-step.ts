// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import {
  findRow,
  firstFreeId,
  GROUP,
  nameOfId,
  PASSWD,
  readAccountTable,
  SHADOW,
  usedIds,
  writeAccountTable,
} from './account-db.js';
import { addGroup } from './group-step.js';
import type { StepEnv, StepOf } from './step-context.js';

/** Mode of a home directory made by `create-home`. */
export const HOME_MODE = 0o755;

/**
 * `user`: adds a line to `/etc/passwd` (created if missing) and, when `/etc/shadow` exists, a
 * locked (`*`) line to it. No uid: the first free one in 100–999 (system) or 1000–59999. A
 * missing primary group is created with gid = uid when that is free. The same name with the same
 * uid (or no uid asked) is a no-op; with another uid → BUILD_STEP_FAILED.
 */
export async function runUser(step: StepOf<'user'>, env: StepEnv): Promise<void> {
  const { rootfs } = env;
  const passwd = await readAccountTable(rootfs, PASSWD);
  const existing = findRow(passwd, step.name);
  if (existing !== undefined) {
    if (step.uid === undefined || existing[2] === String(step.uid)) {
      env.log.debug({ user: step.name }, 'user exists; nothing to do');
      return;
    }
    throw new VcError(
      'BUILD_STEP_FAILED',
      `user ${step.name} already exists with uid ${existing[2]}, not ${step.uid}`,
    );
  }
  const used = usedIds(passwd);
  if (step.uid !== undefined && used.has(step.uid)) {
    throw new VcError(
      'BUILD_STEP_FAILED',
      `uid ${step.uid} is already used by user ${nameOfId(passwd, step.uid) ?? '?'}`,
    );
  }
  const uid = step.uid ?? firstFreeId(used, step.system);
  if (uid === undefined) throw new VcError('BUILD_STEP_FAILED', `no free uid for ${step.name}`);

  const groups = await readAccountTable(rootfs, GROUP);
  const group = findRow(groups, step.group);
  const gid =
    group !== undefined
      ? Number(group[2])
      : await addGroup(rootfs, {
          name: step.group,
          system: step.system,
          members: [],
          ...(usedIds(groups).has(uid) ? {} : { gid: uid }),
        });

  passwd.lines.push(`${step.name}:x:${uid}:${gid}::${step.home}:${step.shell}`);
  await writeAccountTable(rootfs, passwd);
  const shadow = await readAccountTable(rootfs, SHADOW);
  if (shadow.exists) {
    // Day of the last change: SOURCE_DATE_EPOCH, so the line is reproducible. Day 0 would mean
    // "change at next login", so an epoch of 0 leaves the field empty (aging off) instead.
    const day = Math.floor(env.sourceDateEpoch / 86400);
    const days = day === 0 ? '' : String(day);
    shadow.lines.push(`${step.name}:*:${days}:0:99999:7:::`);
    await writeAccountTable(rootfs, shadow);
  }
  if (step.createHome && rootfs.lookup(step.home) === undefined) {
    const home = rootfs.mkdirp(step.home);
    rootfs.update(home, { mode: HOME_MODE, uid, gid });
  }
}
