// SPDX-License-Identifier: Apache-2.0
// Path arithmetic inside a root filesystem described by its file table (01 §3 safety rule 1).
import { VcError } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';

/** Symlinks followed while resolving one path before giving up with ELOOP (as Linux). */
export const MAX_SYMLINK_HOPS = 40;

/** Finds the table row at a canonical path, without resolving anything. */
export type EntryLookup = (path: string) => FileEntry | undefined;

/** Why a path could not be resolved: a symlink loop, or a non-directory used as a directory. */
export type ResolveFailure = 'ELOOP' | 'ENOTDIR';

/** The components of a POSIX path, without empty and `.` components (`..` is kept). */
export function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** `/a/b` from `['a', 'b']`; `/` from `[]`. */
export function joinPath(parts: readonly string[]): string {
  return `/${parts.join('/')}`;
}

/** `child` appended to an absolute directory path. */
export function childPath(dir: string, child: string): string {
  return dir === '/' ? `/${child}` : `${dir}/${child}`;
}

/** Parent of a canonical path (`/` for `/` and top-level entries). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Last component of a path, ignoring a trailing `/` (`''` for `/`). */
export function baseName(path: string): string {
  const parts = splitPath(path);
  return parts[parts.length - 1] ?? '';
}

/** Whether canonical `path` is `dir` or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * Resolves an absolute `path` as the kernel would if the root filesystem were `/`: symlinks met on
 * the way are followed, absolute targets restart at the root and `..` stops at it, so the result
 * never leaves the root. The last component is followed only when `followFinal`. Components that do
 * not exist are kept as named. Returns a canonical path: no parent is a symlink.
 *
 * Throws BUILD_STEP_FAILED (`details.reason`: ELOOP after {@link MAX_SYMLINK_HOPS} symlinks, or
 * ENOTDIR when a non-directory is used as a directory).
 */
export function resolveInRoot(path: string, lookup: EntryLookup, followFinal: boolean): string {
  const done: string[] = [];
  // A stack of components still to walk, the next one last.
  const todo = splitPath(path).reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    done.push(part);
    const entry = lookup(joinPath(done));
    if (entry === undefined) continue;
    const last = todo.length === 0;
    if (entry.type === 'l' && (!last || followFinal)) {
      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) throw resolveError(path, 'ELOOP', 'too many levels of symlinks');
      done.pop();
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/')) done.length = 0;
      todo.push(...splitPath(target).reverse());
      continue;
    }
    if (!last && entry.type !== 'd') {
      throw resolveError(path, 'ENOTDIR', `${joinPath(done)} is not a directory`);
    }
  }
  return joinPath(done);
}

function resolveError(path: string, reason: ResolveFailure, why: string): VcError {
  return new VcError('BUILD_STEP_FAILED', `cannot resolve ${path}: ${why}`, {
    details: { path, reason },
  });
}

/** Whether `err` is a resolution failure of {@link resolveInRoot} with this reason. */
export function isResolveFailure(err: unknown, reason: ResolveFailure): boolean {
  return err instanceof VcError && err.details?.['reason'] === reason;
}
