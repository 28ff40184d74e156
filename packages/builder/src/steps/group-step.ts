// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import {
  findLine,
  firstFreeId,
  GROUP,
  GSHADOW,
  nameOfId,
  readAccountTable,
  usedIds,
  writeAccountTable,
  type AccountTable,
} from './account-db.js';
import type { RootFs } from './rootfs.js';
import type { StepEnv, StepOf } from './step-context.js';

/**
 * `group`: adds a line to `/etc/group` (created if missing) and to `/etc/gshadow` when that file
 * exists. No gid: the first free one in 100–999 (system) or 1000–59999. An existing group of the
 * same name keeps its line and gains the missing members; with another gid → BUILD_STEP_FAILED.
 */
export async function runGroup(step: StepOf<'group'>, env: StepEnv): Promise<void> {
  await addGroup(env.rootfs, step);
}

export interface GroupSpec {
  readonly name: string;
  readonly gid?: number;
  readonly system: boolean;
  readonly members: readonly string[];
}

/** Adds (or completes) a group; returns its gid. Shared with the `user` step. */
export async function addGroup(rootfs: RootFs, spec: GroupSpec): Promise<number> {
  const group = await readAccountTable(rootfs, GROUP);
  const gshadow = await readAccountTable(rootfs, GSHADOW);
  const at = findLine(group, spec.name);
  if (at >= 0) {
    const fields = (group.lines[at] ?? '').split(':');
    const gid = Number(fields[2]);
    if (spec.gid !== undefined && gid !== spec.gid) {
      throw new VcError(
        'BUILD_STEP_FAILED',
        `group ${spec.name} already exists with gid ${fields[2]}, not ${spec.gid}`,
      );
    }
    if (addMembers(group, at, 3, spec.members)) await writeAccountTable(rootfs, group);
    const shadowAt = findLine(gshadow, spec.name);
    if (shadowAt >= 0 && addMembers(gshadow, shadowAt, 3, spec.members)) {
      await writeAccountTable(rootfs, gshadow);
    }
    return gid;
  }
  const used = usedIds(group);
  if (spec.gid !== undefined && used.has(spec.gid)) {
    throw new VcError(
      'BUILD_STEP_FAILED',
      `gid ${spec.gid} is already used by group ${nameOfId(group, spec.gid) ?? '?'}`,
    );
  }
  const gid = spec.gid ?? firstFreeId(used, spec.system);
  if (gid === undefined) throw new VcError('BUILD_STEP_FAILED', `no free gid for ${spec.name}`);
  const members = spec.members.join(',');
  group.lines.push(`${spec.name}:x:${gid}:${members}`);
  await writeAccountTable(rootfs, group);
  if (gshadow.exists) {
    gshadow.lines.push(`${spec.name}:!::${members}`);
    await writeAccountTable(rootfs, gshadow);
  }
  return gid;
}

/** Adds the missing `members` to the comma list in field `field` of line `at`; true if changed. */
function addMembers(table: AccountTable, at: number, field: number, members: readonly string[]) {
  const fields = (table.lines[at] ?? '').split(':');
  while (fields.length <= field) fields.push('');
  const current = (fields[field] ?? '').split(',').filter((m) => m !== '');
  const missing = members.filter((m) => !current.includes(m));
  if (missing.length === 0) return false;
  fields[field] = [...current, ...missing].join(',');
  table.lines[at] = fields.join(':');
  return true;
}
