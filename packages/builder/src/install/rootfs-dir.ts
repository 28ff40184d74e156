// SPDX-License-Identifier: Apache-2.0
// Paths inside a rootfs directory on disk, resolved as if the rootfs were `/`.
import { lstat, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';

const MAX_SYMLINK_HOPS = 40;

/**
 * The host path of `path` (absolute, inside the rootfs) with every symlink among its parents
 * followed inside the rootfs: absolute targets restart at the rootfs, `..` stops at it. The last
 * component is followed only when `followFinal`. Missing components are kept as named. So a
 * merged-/usr `bin -> usr/bin` is honoured and nothing resolves outside `rootfs`.
 */
export async function resolveInRootfs(
  rootfs: string,
  path: string,
  followFinal = false,
): Promise<string> {
  const done: string[] = [];
  const todo = path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    done.push(part);
    const last = todo.length === 0;
    if (last && !followFinal) break;
    const st = await lstatOrUndefined(join(rootfs, ...done));
    if (st === undefined) continue;
    if (st.isSymbolicLink()) {
      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) {
        throw new VcError('BUILD_ARCHIVE_UNSAFE', `too many levels of symlinks in ${path}`);
      }
      const target = await readlink(join(rootfs, ...done));
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      todo.push(
        ...target
          .split('/')
          .filter((p) => p !== '' && p !== '.')
          .reverse(),
      );
    }
  }
  return join(rootfs, ...done);
}

export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Whether `path` exists in the rootfs (symlinks followed inside it). */
export async function existsInRootfs(rootfs: string, path: string): Promise<boolean> {
  const resolved = await resolveInRootfs(rootfs, path, true);
  return (await lstatOrUndefined(resolved)) !== undefined;
}
