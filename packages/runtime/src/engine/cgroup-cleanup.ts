// SPDX-License-Identifier: Apache-2.0
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the cgroup hierarchies are mounted. */
export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * Removes a container's cgroup directory (`<parent>/<id>` under the cgroupfs root) from every
 * hierarchy: the v2 root itself and each v1 controller or named hierarchy (unified included), as
 * runc leaves them behind in some cases (environment.md §3). Missing directories are fine; one still
 * holding processes (EBUSY) is left and returned, so the caller can report it.
 */
export async function removeContainerCgroups(
  cgroupsPath: string,
  cgroupRoot: string = DEFAULT_CGROUP_ROOT,
): Promise<string[]> {
  const relative = cgroupsPath.replace(/^\/+/, '');
  const hierarchies = [cgroupRoot];
  try {
    for (const entry of await readdir(cgroupRoot, { withFileTypes: true })) {
      if (entry.isDirectory()) hierarchies.push(join(cgroupRoot, entry.name));
    }
  } catch {
    return [];
  }
  // One rmdir per hierarchy (a dozen on a v1 host), all at once: they do not depend on each other.
  const results = await Promise.all(
    hierarchies.map(async (hierarchy) => {
      const dir = join(hierarchy, relative);
      try {
        await rmdir(dir);
        return undefined;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code !== 'ENOENT' && code !== 'ENOTDIR' ? dir : undefined;
      }
    }),
  );
  return results.filter((dir): dir is string => dir !== undefined);
}
