// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** Symlinks followed while resolving one path, as Linux's limit. */
const MAX_LINKS = 40;

/**
 * The host path of the container path `inside` under `rootfs`, resolving symlinks as the
 * container would see them (an absolute link target starts again at `rootfs`, `..` stops at it),
 * so the result never leaves the rootfs. Components that do not exist are kept as they are.
 */
export async function resolveInRootfs(rootfs: string, inside: string): Promise<string> {
  const done: string[] = [];
  const todo = inside.split('/').reverse();
  let links = 0;
  while (todo.length > 0) {
    const part = todo.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = join(rootfs, ...done, part);
    const stat = await fs.lstat(candidate).catch(() => null);
    if (stat?.isSymbolicLink() === true) {
      links += 1;
      if (links > MAX_LINKS) return join(rootfs, ...done, part);
      const target = await fs.readlink(candidate);
      if (target.startsWith('/')) done.length = 0;
      todo.push(...target.split('/').reverse());
      continue;
    }
    done.push(part);
  }
  return join(rootfs, ...done);
}
