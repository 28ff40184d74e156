// SPDX-License-Identifier: Apache-2.0
// /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow of the rootfs, as colon-separated lines.
import { VcError } from '@verified-container/shared';
import { putContent } from './content-io.js';
import type { RootFs } from './rootfs.js';

export const PASSWD = '/etc/passwd';
export const GROUP = '/etc/group';
export const SHADOW = '/etc/shadow';
export const GSHADOW = '/etc/gshadow';

/** Ids handed out when none is given (01 §3): system accounts, then regular ones. */
export const ID_RANGES = {
  system: { first: 100, last: 999 },
  regular: { first: 1000, last: 59999 },
} as const;

/** One account file: its lines as read (`exists` false when the file is absent). */
export interface AccountTable {
  readonly path: string;
  readonly exists: boolean;
  readonly lines: string[];
}

export async function readAccountTable(rootfs: RootFs, path: string): Promise<AccountTable> {
  const text = await rootfs.readText(path);
  if (text === undefined) return { path, exists: false, lines: [] };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { path, exists: true, lines };
}

/** Index of the line for `name`, or -1. */
export function findLine(table: AccountTable, name: string): number {
  return table.lines.findIndex((line) => !line.startsWith('#') && line.split(':')[0] === name);
}

/** Fields of the line for `name`. */
export function findRow(table: AccountTable, name: string): string[] | undefined {
  const i = findLine(table, name);
  return i < 0 ? undefined : (table.lines[i] ?? '').split(':');
}

/** The numeric ids (third field) in use. */
export function usedIds(table: AccountTable): Set<number> {
  const ids = new Set<number>();
  for (const line of table.lines) {
    const field = line.startsWith('#') ? undefined : line.split(':')[2];
    if (field !== undefined && /^[0-9]+$/.test(field)) ids.add(Number(field));
  }
  return ids;
}

/** The name whose id is `id`, if any. */
export function nameOfId(table: AccountTable, id: number): string | undefined {
  for (const line of table.lines) {
    const fields = line.split(':');
    if (!line.startsWith('#') && fields[2] === String(id)) return fields[0];
  }
  return undefined;
}

/** First id of the range not in `used`, or undefined when the range is full. */
export function firstFreeId(used: ReadonlySet<number>, system: boolean): number | undefined {
  const range = system ? ID_RANGES.system : ID_RANGES.regular;
  for (let id = range.first; id <= range.last; id++) if (!used.has(id)) return id;
  return undefined;
}

/** Writes the table back (LF-terminated lines), keeping the file's mode and owner (new: 0644 0:0). */
export async function writeAccountTable(rootfs: RootFs, table: AccountTable): Promise<void> {
  const existing = rootfs.lookup(table.path);
  const text = table.lines.map((line) => `${line}\n`).join('');
  const stored = await putContent(rootfs.content, new Uint8Array(Buffer.from(text, 'utf8')));
  rootfs.writeFile(table.path, stored, {
    mode: existing?.mode ?? 0o644,
    uid: existing?.uid ?? 0,
    gid: existing?.gid ?? 0,
  });
}

/** A numeric id, or the id of a name in `table` (BUILD_USER_UNKNOWN when absent). */
export async function resolveId(
  rootfs: RootFs,
  which: 'user' | 'group',
  value: string,
): Promise<number> {
  if (/^[0-9]+$/.test(value)) return Number(value);
  const path = which === 'user' ? PASSWD : GROUP;
  const row = findRow(await readAccountTable(rootfs, path), value);
  const id = row?.[2];
  if (id === undefined || !/^[0-9]+$/.test(id)) {
    throw new VcError('BUILD_USER_UNKNOWN', `${which} ${JSON.stringify(value)} not in ${path}`, {
      hint: `add a "${which}" step before this one, or use a numeric id`,
    });
  }
  return Number(id);
}
