// SPDX-License-Identifier: Apache-2.0
// `process.user` of 05 §4.5: `--user U[:G]` (or the image's `User`) resolved in the image's own
// /etc/passwd and /etc/group, whose text the caller reads from the rootfs.
import { VcError } from '@verified-container/shared';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

const ID = /^[0-9]+$/;
const MAX_ID = 0xfffffffe;

function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !ID.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_ID ? n : undefined;
}

/** The well-formed lines of an `/etc/passwd` text (malformed lines are skipped, as libc does). */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const uid = parseId(f[2]);
    const gid = parseId(f[3]);
    if (f.length < 7 || f[0] === '' || uid === undefined || gid === undefined) continue;
    entries.push({ name: f[0] ?? '', uid, gid, home: f[5] ?? '' });
  }
  return entries;
}

/** The well-formed lines of an `/etc/group` text. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const gid = parseId(f[2]);
    if (f.length < 4 || f[0] === '' || gid === undefined) continue;
    const members = (f[3] ?? '').split(',').filter((m) => m !== '');
    entries.push({ name: f[0] ?? '', gid, members });
  }
  return entries;
}

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** Groups whose member list names the user, ascending, without the primary gid. */
  readonly additionalGids: number[];
  /** From passwd; undefined for a uid without an entry. */
  readonly home?: string;
  readonly name?: string;
}

/**
 * Resolves `U[:G]` (names or numbers; empty = root). A name missing from the image's files is
 * `USAGE`; a numeric uid without a passwd entry runs with gid 0 (or G) and no supplementary groups.
 */
export function resolveUser(
  spec: string | undefined,
  files: { readonly passwd?: string; readonly group?: string },
): ResolvedUser {
  const passwd = parsePasswd(files.passwd ?? '');
  const groups = parseGroup(files.group ?? '');
  const text = spec ?? '';
  const colon = text.indexOf(':');
  const userPart = colon < 0 ? text : text.slice(0, colon);
  const groupPart = colon < 0 ? undefined : text.slice(colon + 1);
  if (colon >= 0 && (userPart === '' || groupPart === '')) {
    throw new VcError('USAGE', `invalid user ${JSON.stringify(text)}: expected USER[:GROUP]`);
  }

  let entry: PasswdEntry | undefined;
  let uid: number;
  const numericUid = parseId(userPart);
  if (userPart === '') {
    uid = 0;
    entry = passwd.find((p) => p.uid === 0);
  } else if (numericUid !== undefined) {
    uid = numericUid;
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (entry === undefined) {
      throw new VcError(
        'USAGE',
        `user ${JSON.stringify(userPart)} is not in the image's /etc/passwd`,
      );
    }
    uid = entry.uid;
  }

  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined) {
    const numericGid = parseId(groupPart);
    if (numericGid !== undefined) gid = numericGid;
    else {
      const group = groups.find((g) => g.name === groupPart);
      if (group === undefined) {
        throw new VcError(
          'USAGE',
          `group ${JSON.stringify(groupPart)} is not in the image's /etc/group`,
        );
      }
      gid = group.gid;
    }
  }

  const name = entry?.name;
  const additional =
    name === undefined
      ? []
      : groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid);
  return {
    uid,
    gid,
    additionalGids: [...new Set(additional)].sort((a, b) => a - b),
    ...(entry !== undefined ? { home: entry.home, name: entry.name } : {}),
  };
}
