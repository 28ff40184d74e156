// SPDX-License-Identifier: Apache-2.0
// What is removed or normalised in a rootfs after packages were installed (01 §5.3, §6.3).
import { readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lstatOrUndefined, resolveInRootfs } from './rootfs-dir.js';

/** Directories whose entries are all removed (`<dir>/*`). */
export const EMPTIED_DIRECTORIES = [
  '/var/cache/apt',
  '/var/lib/apt/lists',
  '/var/log/apt',
] as const;
/** Files removed. */
export const REMOVED_FILES = [
  '/var/log/dpkg.log',
  '/var/log/alternatives.log',
  '/var/cache/ldconfig/aux-cache',
] as const;
/** Directories whose entries ending in `-old` are removed (`<dir>/*-old`). */
export const OLD_FILE_DIRECTORIES = ['/var/cache/debconf', '/var/lib/dpkg'] as const;

/**
 * Removes the files of 01 §5.3 (apt caches and lists, dpkg/apt/alternatives logs, ldconfig's
 * aux-cache, debconf and dpkg `*-old` backups), empties `/etc/machine-id` when present, and clamps
 * the last-change day of `/etc/shadow` entries to the day of `sourceDateEpoch`. Returns the
 * removed paths, sorted.
 */
export async function cleanUpAfterInstall(
  rootfs: string,
  sourceDateEpoch: number,
): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of EMPTIED_DIRECTORIES) {
    const host = await resolveInRootfs(rootfs, dir, true);
    for (const name of await listDir(host)) {
      await rm(join(host, name), { recursive: true, force: true });
      removed.push(`${dir}/${name}`);
    }
  }
  for (const file of REMOVED_FILES) {
    const host = await resolveInRootfs(rootfs, file, false);
    if ((await lstatOrUndefined(host)) === undefined) continue;
    await rm(host, { force: true });
    removed.push(file);
  }
  for (const dir of OLD_FILE_DIRECTORIES) {
    const host = await resolveInRootfs(rootfs, dir, true);
    for (const name of await listDir(host)) {
      if (!name.endsWith('-old')) continue;
      await rm(join(host, name), { recursive: true, force: true });
      removed.push(`${dir}/${name}`);
    }
  }
  const machineId = await resolveInRootfs(rootfs, '/etc/machine-id', false);
  if ((await lstatOrUndefined(machineId))?.isFile() === true) await truncate(machineId, 0);
  for (const shadow of ['/etc/shadow', '/etc/shadow-']) {
    await normaliseShadowFile(await resolveInRootfs(rootfs, shadow, false), sourceDateEpoch);
  }
  return removed.sort();
}

/**
 * `/etc/shadow` with every last-change field (the 3rd) clamped to the day of the epoch, as mtimes
 * are (01 §6.3): `pwconv`/`useradd` write "today", which differs between two builds.
 */
export function normaliseShadow(text: string, sourceDateEpoch: number): string {
  const day = Math.floor(sourceDateEpoch / 86400);
  return text
    .split('\n')
    .map((line) => {
      const fields = line.split(':');
      const lastChange = fields[2] ?? '';
      // 0 means "must change at next login"; empty means aging is off: both are kept.
      if (fields.length < 3 || !/^\d+$/.test(lastChange) || lastChange === '0') return line;
      fields[2] = String(Math.min(Number(lastChange), day));
      return fields.join(':');
    })
    .join('\n');
}

async function normaliseShadowFile(host: string, sourceDateEpoch: number): Promise<void> {
  const st = await lstatOrUndefined(host);
  if (st?.isFile() !== true) return;
  const text = await readFile(host, 'utf8');
  const normalised = normaliseShadow(text, sourceDateEpoch);
  // writeFile keeps the inode, so owner and mode (root:shadow 0640) stay.
  if (normalised !== text) await writeFile(host, normalised);
}

async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch {
    return [];
  }
}
