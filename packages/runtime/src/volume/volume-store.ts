// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import { readUsageRecords, volumeNamesOf } from '../image-load/container-usage.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { readRecordText } from '../store/record-file.js';
import { assertValidName, isValidName } from '../store/container-name.js';
import { withLock } from '../store/locks.js';
import { vordrPaths } from '../store/vordr-paths.js';
import { parseVolumeRecord, type VolumeRecord } from './volume-record.js';

/** The directory, record and data of a volume (05 §13). */
export interface VolumePaths {
  readonly dir: string;
  readonly record: string;
  readonly data: string;
}

export function volumePaths(root: string, name: string): VolumePaths {
  assertValidName(name, 'volume');
  const dir = join(vordrPaths(root).volumes, name);
  return { dir, record: join(dir, 'volume.json'), data: join(dir, '_data') };
}

export interface CreateVolumeOptions {
  /** Generated (64 hex, like an anonymous volume) when absent. */
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly anonymous?: boolean;
  readonly now: Date;
}

/**
 * Creates a volume under its `vol-<name>` lock: `_data/` (0755) then `volume.json`. A name in use
 * → NAME_IN_USE; an invalid one → INVALID_NAME.
 */
export async function createVolume(root: string, opts: CreateVolumeOptions): Promise<VolumeRecord> {
  const name = opts.name ?? randomBytes(32).toString('hex');
  const paths = volumePaths(root, name);
  return withLock(root, `vol-${name}`, async () => {
    if ((await readVolume(root, name)) !== undefined) {
      throw new VcError(
        'NAME_IN_USE',
        `the volume name ${JSON.stringify(name)} is already in use`,
        {
          hint: 'choose another name, or remove the volume that has it',
        },
      );
    }
    await fs.mkdir(paths.data, { recursive: true, mode: 0o755 });
    const record: VolumeRecord = {
      name,
      driver: 'local',
      mountpoint: paths.data,
      createdAt: formatRfc3339Utc(opts.now),
      labels: { ...(opts.labels ?? {}) },
      anonymous: opts.anonymous === true,
      initialized: false,
    };
    await writeVolumeRecord(root, record);
    return record;
  });
}

/** Replaces a volume's `volume.json` atomically (00 §4.1). */
export async function writeVolumeRecord(root: string, record: VolumeRecord): Promise<void> {
  await writeFileAtomic(
    volumePaths(root, record.name).record,
    `${JSON.stringify(record, null, 2)}\n`,
  );
}

/** The record of `name`; undefined when there is no such volume. */
export async function readVolume(root: string, name: string): Promise<VolumeRecord | undefined> {
  if (!isValidName(name)) return undefined;
  const path = volumePaths(root, name).record;
  const text = await readRecordText(path);
  if (text === undefined) return undefined;
  return parseVolumeRecord(text, path);
}

/** The record of `name`, else VOLUME_NOT_FOUND. */
export async function getVolume(root: string, name: string): Promise<VolumeRecord> {
  assertValidName(name, 'volume');
  const record = await readVolume(root, name);
  if (record === undefined) {
    throw new VcError('VOLUME_NOT_FOUND', `no such volume: ${name}`, {
      hint: 'list volumes with vordr volume ls; create one with vordr volume create',
    });
  }
  return record;
}

/** Every volume, sorted by name; directories without a record are skipped. */
export async function listVolumes(root: string): Promise<VolumeRecord[]> {
  const dir = vordrPaths(root).volumes;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new VcError('READ_FAILED', `cannot list ${dir}`, { cause });
  }
  const out: VolumeRecord[] = [];
  for (const name of names.filter(isValidName).sort()) {
    const record = await readVolume(root, name);
    if (record !== undefined) out.push(record);
  }
  return out;
}

/** The names of the containers whose records mount `name`. */
export async function volumeUsers(root: string, name: string): Promise<string[]> {
  const records = await readUsageRecords(root);
  return records.filter((r) => volumeNamesOf(r).includes(name)).map((r) => r.name);
}

/**
 * Removes volumes (each under its `vol-<name>` lock). Every name is checked first: a missing
 * volume → VOLUME_NOT_FOUND, one a container record mounts → IN_USE unless `force`.
 */
export async function removeVolumes(
  root: string,
  names: readonly string[],
  opts: { readonly force?: boolean } = {},
): Promise<string[]> {
  for (const name of names) {
    await getVolume(root, name);
    if (opts.force === true) continue;
    const users = await volumeUsers(root, name);
    if (users.length > 0) {
      throw new VcError(
        'IN_USE',
        `volume ${name} is in use by the container${users.length === 1 ? '' : 's'} ${users.join(', ')}`,
        { hint: 'remove the containers first, or use -f' },
      );
    }
  }
  for (const name of names) {
    await withLock(root, `vol-${name}`, async () => {
      const paths = volumePaths(root, name);
      // Renamed aside first, so a half-removed volume is never listed.
      const aside = join(vordrPaths(root).volumes, `.rm-${randomBytes(6).toString('hex')}`);
      await fs.rename(paths.dir, aside).catch((cause: NodeJS.ErrnoException) => {
        if (cause.code !== 'ENOENT') throw cause;
      });
      await fs.rm(aside, { recursive: true, force: true });
    });
  }
  return [...names];
}
