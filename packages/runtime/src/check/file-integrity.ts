// SPDX-License-Identifier: Apache-2.0
// `file-integrity` “File integrity (no tampering)” (05 §8), the pure part: the image's
// file-integrity statement (02 §6) against what the host sees in the container's root.
import type { FileIntegrityRow, FileType } from '@verified-container/shared/image';
import { firstAndCount } from './process-checks.js';
import type { CheckResult } from './types.js';

/** An entry type as `lstat` sees it; `s` (socket) never appears in a statement. */
export type ObservedType = FileType | 's';

/** One entry of the container's root as measured. */
export interface ObservedEntry {
  readonly path: string;
  readonly type: ObservedType;
  /** `mode & 0o7777`. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of a file, byte length of a symlink's target, 0 otherwise (as in 02 §6). */
  readonly size: number;
  /** sha256 hex of a file's content or a symlink's target; '' otherwise. */
  readonly digest: string;
}

/** What the scan of the root found. */
export interface IntegrityObservation {
  /** Per statement path: the entry, or undefined when it is missing (deleted, whited out). */
  readonly listed: ReadonlyMap<string, ObservedEntry | undefined>;
  /** Entries not in the statement (from the overlay's upper dir, or the whole copy). */
  readonly added: readonly ObservedEntry[];
  /** How many files were hashed this time (the rest matched the cache). */
  readonly hashed: number;
}

/**
 * The rows of a file-integrity predicate (02 §6), or undefined when it does not have that shape
 * (fields in the documented order, rows of seven values).
 */
export function fileIntegrityRows(predicate: unknown): FileIntegrityRow[] | undefined {
  if (typeof predicate !== 'object' || predicate === null) return undefined;
  const { algorithm, fields, entries } = predicate as Record<string, unknown>;
  const expectedFields = ['path', 'type', 'mode', 'uid', 'gid', 'size', 'digest'];
  if (algorithm !== 'sha256' || !Array.isArray(fields) || !Array.isArray(entries)) return undefined;
  if (fields.join(',') !== expectedFields.join(',')) return undefined;
  const rows: FileIntegrityRow[] = [];
  for (const row of entries as unknown[]) {
    if (!Array.isArray(row) || row.length !== 7) return undefined;
    const [path, type, mode, uid, gid, size, digest] = row as unknown[];
    if (
      typeof path !== 'string' ||
      !path.startsWith('/') ||
      typeof type !== 'string' ||
      !['f', 'd', 'l', 'c', 'b', 'p'].includes(type) ||
      typeof mode !== 'string' ||
      !/^[0-7]{4}$/.test(mode) ||
      typeof uid !== 'number' ||
      typeof gid !== 'number' ||
      typeof size !== 'number' ||
      typeof digest !== 'string'
    ) {
      return undefined;
    }
    rows.push([path, type as FileType, mode, uid, gid, size, digest]);
  }
  return rows;
}

/**
 * Whether `path` may differ from the image because something is mounted there: a mount
 * destination, anything under one, or a directory on the way to one (runc creates missing mount
 * points, which then show in the overlay's upper dir).
 */
export function isMountRelated(
  path: string,
  type: ObservedType,
  mountDestinations: readonly string[],
): boolean {
  return mountDestinations.some(
    (dest) =>
      path === dest ||
      path.startsWith(`${dest}/`) ||
      (type === 'd' && (dest.startsWith(`${path}/`) || path === '/')),
  );
}

/**
 * Compares the statement with the observation: a listed entry that is missing or differs in
 * type, mode, owner, size or digest is a violation; so is an added entry outside the mounts
 * (writable exceptions, volumes, runc's mount points).
 */
export function compareFileIntegrity(
  rows: readonly FileIntegrityRow[],
  observation: IntegrityObservation,
  mountDestinations: readonly string[],
): CheckResult {
  const violations: string[] = [];
  for (const row of rows) {
    const [path] = row;
    if (!observation.listed.has(path)) continue;
    const seen = observation.listed.get(path);
    if (seen === undefined) {
      violations.push(`${path}: missing`);
      continue;
    }
    const problem = rowDifference(row, seen);
    if (problem !== undefined) violations.push(`${path}: ${problem}`);
  }
  for (const entry of observation.added) {
    if (!isMountRelated(entry.path, entry.type, mountDestinations)) {
      violations.push(`${entry.path}: added (${typeName(entry.type)} not in the image)`);
    }
  }
  const hashed = `${observation.hashed} files hashed`;
  return {
    name: 'file-integrity',
    title: 'File integrity (no tampering)',
    status: violations.length === 0 ? 'pass' : 'fail',
    detail:
      violations.length === 0
        ? `${rows.length} entries match the statement, ${hashed}`
        : firstAndCount(violations),
    violations,
  };
}

/** How an observed entry differs from its statement row; undefined when it matches. */
export function rowDifference(row: FileIntegrityRow, seen: ObservedEntry): string | undefined {
  const [, type, mode, uid, gid, size, digest] = row;
  if (seen.type !== type) return `was ${typeName(type)}, now ${typeName(seen.type)}`;
  const problems: string[] = [];
  if (type === 'f' || type === 'l') {
    if (seen.digest !== digest) {
      problems.push(
        `${type === 'f' ? 'content' : 'link target'} changed (sha256 ${short(digest)} → ${short(seen.digest)})`,
      );
    } else if (seen.size !== size) problems.push(`size ${size} → ${seen.size}`);
  }
  const seenMode = seen.mode.toString(8).padStart(4, '0');
  if (seenMode !== mode) problems.push(`mode ${mode} → ${seenMode}`);
  if (seen.uid !== uid || seen.gid !== gid) {
    problems.push(`owner ${uid}:${gid} → ${seen.uid}:${seen.gid}`);
  }
  return problems.length === 0 ? undefined : problems.join(', ');
}

function typeName(type: ObservedType): string {
  const names: Record<ObservedType, string> = {
    f: 'a file',
    d: 'a directory',
    l: 'a symlink',
    c: 'a character device',
    b: 'a block device',
    p: 'a FIFO',
    s: 'a socket',
  };
  return names[type];
}

function short(digest: string): string {
  return digest === '' ? '(none)' : `${digest.slice(0, 12)}…`;
}
