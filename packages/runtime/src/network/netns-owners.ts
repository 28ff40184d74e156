// SPDX-License-Identifier: Apache-2.0
// Which store made each netns (05 §13: netns and veths without a live container are removed).
// Netns are host-wide while stores are not, so every netns vordr creates is recorded in
// `/run/vordr/netns/<name>` with its store and container; a netns whose container record is gone
// (its store deleted, a crash before the cleanup) is removed by the next sweep.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { containerPaths } from '../store/vordr-paths.js';
import { deleteNetns, netnsName } from './host-net.js';

/** Most interfaces of a container (05 §15: at most 8 networks). */
const MAX_INTERFACES = 8;

function ownersDir(hostDir: string): string {
  return join(hostDir, 'netns');
}

export async function recordNetnsOwner(
  hostDir: string,
  root: string,
  containerId: string,
): Promise<void> {
  await fs.mkdir(ownersDir(hostDir), { recursive: true, mode: 0o755 });
  await fs.writeFile(
    join(ownersDir(hostDir), netnsName(containerId)),
    `${JSON.stringify({ root, id: containerId })}\n`,
  );
}

/** The store and container that made netns `vordr-<id12>`, or undefined when none is recorded. */
export async function readNetnsOwner(
  hostDir: string,
  id12: string,
): Promise<{ root: string; id: string } | undefined> {
  try {
    const text = await fs.readFile(join(ownersDir(hostDir), netnsName(id12)), 'utf8');
    const owner = JSON.parse(text) as { root?: unknown; id?: unknown };
    if (typeof owner.root !== 'string' || typeof owner.id !== 'string') return undefined;
    return { root: owner.root, id: owner.id };
  } catch {
    return undefined;
  }
}

export async function forgetNetnsOwner(hostDir: string, containerId: string): Promise<void> {
  await fs.rm(join(ownersDir(hostDir), netnsName(containerId)), { force: true });
}

/**
 * Removes every recorded netns (and its host veths) whose container record no longer exists.
 * Returns the netns names removed.
 */
export async function sweepOrphanNetns(hostDir: string): Promise<string[]> {
  const names = await fs.readdir(ownersDir(hostDir)).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const path = join(ownersDir(hostDir), name);
    let owner: { root?: unknown; id?: unknown };
    try {
      owner = JSON.parse(await fs.readFile(path, 'utf8')) as typeof owner;
    } catch {
      continue;
    }
    if (typeof owner.root !== 'string' || typeof owner.id !== 'string') continue;
    if (netnsName(owner.id) !== name) continue;
    const alive = await fs.access(containerPaths(owner.root, owner.id).record).then(
      () => true,
      () => false,
    );
    if (alive) continue;
    await deleteNetns(owner.id, MAX_INTERFACES);
    await fs.rm(path, { force: true });
    removed.push(name);
  }
  return removed;
}
