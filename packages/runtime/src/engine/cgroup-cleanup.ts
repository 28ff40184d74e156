// SPDX-License-Identifier: Apache-2.0
import { readFile, readdir, rmdir } from 'node:fs/promises';
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
  const hierarchies = await hierarchiesOf(cgroupRoot);
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

/**
 * The cgroupfs root itself (v2, or a unified host) and each v1 controller or named hierarchy
 * under it; none when the root cannot be read.
 */
async function hierarchiesOf(cgroupRoot: string): Promise<string[]> {
  try {
    const entries = await readdir(cgroupRoot, { withFileTypes: true });
    return [
      cgroupRoot,
      ...entries.filter((e) => e.isDirectory()).map((e) => join(cgroupRoot, e.name)),
    ];
  } catch {
    return [];
  }
}

/**
 * Removes a cgroup directory and every directory below it (deepest first) from every hierarchy:
 * podman's cgroupfs manager makes `<parent>/libpod-<id>` and `<parent>/conmon` under the parent
 * vordr gives a podman container. Directories still holding processes are left and returned.
 */
export async function removeCgroupTree(
  cgroupsPath: string,
  cgroupRoot: string = DEFAULT_CGROUP_ROOT,
): Promise<string[]> {
  const relative = cgroupsPath.replace(/^\/+/, '');
  const hierarchies = await hierarchiesOf(cgroupRoot);
  const busy: string[] = [];
  const removeDir = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) await removeDir(join(dir, entry.name));
    }
    try {
      await rmdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') busy.push(dir);
    }
  };
  for (const hierarchy of hierarchies) {
    // The v2 root itself (a unified host) lists controllers' dirs too: only the container's path.
    if (hierarchy !== cgroupRoot || relative !== '') await removeDir(join(hierarchy, relative));
  }
  return busy;
}

/** How {@link removeCgroupTreeOnceEmpty} waits and what it does with processes that stay. */
export interface EmptyCgroupWait {
  /** How long directories still holding processes are tried again. */
  readonly waitMs: number;
  /** How often. */
  readonly pollMs: number;
  /** After `waitMs`: signals each process left in the tree (SIGKILL), then tries for `graceMs`. */
  readonly kill: (pid: number) => void;
  readonly graceMs: number;
}

/**
 * Removes a cgroup tree ({@link removeCgroupTree}) once the processes still in it have left: a
 * container's monitor outlives the container while it runs its exit command. The tree must be
 * the container's own: what is still there after `waitMs` is killed. Returns the directories
 * that could not be removed even then.
 */
export async function removeCgroupTreeOnceEmpty(
  cgroupsPath: string,
  cgroupRoot: string,
  wait: EmptyCgroupWait,
): Promise<string[]> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let deadline = Date.now() + wait.waitMs;
  let killed = false;
  for (;;) {
    const busy = await removeCgroupTree(cgroupsPath, cgroupRoot);
    if (busy.length === 0) return [];
    if (Date.now() >= deadline) {
      if (killed) return busy;
      killed = true;
      for (const pid of await cgroupProcesses(busy)) {
        try {
          wait.kill(pid);
        } catch {
          // gone meanwhile
        }
      }
      deadline = Date.now() + wait.graceMs;
    }
    await sleep(wait.pollMs);
  }
}

/** The pids in the `cgroup.procs` of the given cgroup directories, each once. */
async function cgroupProcesses(dirs: readonly string[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const pid = Number(line.trim());
      if (Number.isInteger(pid) && pid > 0) pids.add(pid);
    }
  }
  return [...pids];
}
