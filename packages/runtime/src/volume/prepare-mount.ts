// SPDX-License-Identifier: Apache-2.0
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';
import { withLock } from '../store/locks.js';
import { resolveInRootfs } from './rootfs-path.js';
import { createVolume, readVolume, volumePaths, writeVolumeRecord } from './volume-store.js';
import type { VolumeRecord } from './volume-record.js';

const run = promisify(execFile);

export interface PrepareVolumeMountOptions {
  readonly root: string;
  readonly name: string;
  /** The container's root filesystem on the host (prepared, mounted). */
  readonly rootfs: string;
  /** Where the volume is mounted in the container (absolute). */
  readonly destination: string;
  /** `nocopy`: never copy the image's content in. */
  readonly nocopy?: boolean;
  /** `U`: chown the volume's content to the container user when the volume is new. */
  readonly chown?: { readonly uid: number; readonly gid: number };
  /** A missing volume is created (05 §3 `-v`); `anonymous` marks one made for `[runtime.volumes]`. */
  readonly anonymous?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly now: Date;
}

export interface PreparedVolumeMount {
  readonly volume: VolumeRecord;
  /** The bind mount source: the volume's `_data`. */
  readonly source: string;
  /** Whether the volume was created by this call. */
  readonly created: boolean;
  /** Whether the image's content at `destination` was copied in. */
  readonly copied: boolean;
}

/**
 * Gets a named volume ready to be bind-mounted at `destination` (05 §3 `-v`, §10.2): created when
 * missing; when it has never been mounted and is empty, the image's content at `destination`
 * (resolved inside `rootfs`) is copied in with owners, modes, times and xattrs kept (`cp -a`),
 * unless `nocopy`; `chown` then applies to a new volume. The volume is marked initialized. Runs
 * under the volume's `vol-<name>` lock.
 */
export async function prepareVolumeMount(
  opts: PrepareVolumeMountOptions,
): Promise<PreparedVolumeMount> {
  let created = false;
  if ((await readVolume(opts.root, opts.name)) === undefined) {
    try {
      await createVolume(opts.root, {
        name: opts.name,
        now: opts.now,
        ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
        ...(opts.anonymous !== undefined ? { anonymous: opts.anonymous } : {}),
      });
      created = true;
    } catch (err) {
      // Created by a concurrent run meanwhile: use it.
      if (!(err instanceof VcError && err.code === 'NAME_IN_USE')) throw err;
    }
  }
  return withLock(opts.root, `vol-${opts.name}`, async () => {
    const volume = await readVolume(opts.root, opts.name);
    if (volume === undefined) {
      throw new VcError('VOLUME_NOT_FOUND', `volume ${opts.name} was removed while being mounted`);
    }
    const data = volumePaths(opts.root, opts.name).data;
    await fs.mkdir(data, { recursive: true, mode: 0o755 });
    if (volume.initialized) return { volume, source: data, created, copied: false };
    let copied = false;
    if (opts.nocopy !== true && (await isEmptyDir(data))) {
      const from = await resolveInRootfs(opts.rootfs, opts.destination);
      const stat = await fs.stat(from).catch(() => null);
      if (stat?.isDirectory() === true) {
        // The volume takes the image directory's owner and mode (as docker's volumes do), so a
        // `/var/ratelimit` the image gives to www-data stays writable by www-data.
        await fs.chown(data, stat.uid, stat.gid);
        await fs.chmod(data, stat.mode & 0o7777);
        if (!(await isEmptyDir(from))) {
          await copyTree(from, data);
          copied = true;
        }
      }
    }
    if (opts.chown !== undefined) await chownTree(data, opts.chown.uid, opts.chown.gid);
    const next: VolumeRecord = { ...volume, initialized: true };
    await writeVolumeRecord(opts.root, next);
    return { volume: next, source: data, created, copied };
  });
}

/** `cp -a from/. to/`: owners, modes, times, links and xattrs kept; links never followed. */
async function copyTree(from: string, to: string): Promise<void> {
  try {
    await run('cp', ['-a', '--', `${from}/.`, `${to}/`]);
  } catch (cause) {
    throw new VcError('RUNTIME_ERROR', `cannot copy ${from} into the volume ${to}`, { cause });
  }
}

/** `chown -R -h uid:gid dir` (symlinks themselves, never their targets). */
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  try {
    await run('chown', ['-R', '-h', `${uid}:${gid}`, '--', dir]);
  } catch (cause) {
    throw new VcError('RUNTIME_ERROR', `cannot chown the volume ${dir}`, { cause });
  }
}

async function isEmptyDir(dir: string): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => null);
  return names !== null && names.length === 0;
}
