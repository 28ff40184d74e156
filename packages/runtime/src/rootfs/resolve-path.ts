// SPDX-License-Identifier: Apache-2.0
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Symlinks followed while resolving one path, as Linux's limit. */
const MAX_LINKS = 40;

/**
 * The host path of the container path `inside` under `rootfs`, resolving symlinks as the
 * container would see them (an absolute link target starts again at `rootfs`, `..` stops at it),
 * so the result never leaves the rootfs. Components that do not exist are kept as they are.
 * (`/var/www/html` → `/usr/share/wordpress` is looked up in the image, never on the host.)
 */
export function resolveInRootfsSync(rootfs: string, inside: string): string {
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
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      // Missing: kept as it is.
    }
    if (isLink) {
      links += 1;
      if (links > MAX_LINKS) return candidate;
      const target = readlinkSync(candidate);
      if (target.startsWith('/')) done.length = 0;
      todo.push(...target.split('/').reverse());
      continue;
    }
    done.push(part);
  }
  return join(rootfs, ...done);
}
