// SPDX-License-Identifier: Apache-2.0
// `mounts` of 05 §4.5: the kernel filesystems, vordr's hosts/resolv.conf/hostname files, volumes
// and binds, tmpfs, and a tmpfs for each writable exception over a read-only root.
import { posix } from 'node:path';
import { VcError } from '@verified-container/shared';
import { normalizeContainerPath, type TmpfsSpec } from '../profile/tmpfs-flag.js';
import type { OciMount } from './types.js';

/** Most mounts a run may ask for (volumes, binds and tmpfs together; 05 §15). */
export const MAX_RUN_MOUNTS = 64;
/** Size of the tmpfs of each writable exception. */
export const EXCEPTION_TMPFS_SIZE = '64m';

/** A named volume's `_data` or a host directory, already resolved to an absolute host path. */
export interface VolumeMount {
  readonly kind: 'volume' | 'bind';
  /** Absolute host path. */
  readonly source: string;
  readonly destination: string;
  readonly readonly: boolean;
}

/** Owner and mode of a path in the image, as the rootfs shows it. */
export interface PathInfo {
  readonly uid: number;
  readonly gid: number;
  /** Permission bits (e.g. 0o755). */
  readonly mode: number;
  readonly isDirectory: boolean;
}

/** Looks a container path up in the image's rootfs (undefined: it does not exist). */
export type RootfsLookup = (path: string) => PathInfo | undefined;

export interface MountsInput {
  /** Absolute `containers/<id>/`, which holds `hosts`, `resolv.conf`, `hostname`. */
  readonly containerDir: string;
  readonly volumes: readonly VolumeMount[];
  /** `--tmpfs` and `[runtime.volumes]` tmpfs. */
  readonly tmpfs: readonly TmpfsSpec[];
  /** Writable exceptions when the root is read-only; empty otherwise. */
  readonly exceptions: readonly string[];
  readonly user: { readonly uid: number; readonly gid: number };
  readonly lookup: RootfsLookup;
}

const KERNEL_MOUNTS: readonly OciMount[] = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  {
    destination: '/dev',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
  },
  {
    destination: '/dev/pts',
    type: 'devpts',
    source: 'devpts',
    options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
  },
  {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=64m'],
  },
  {
    destination: '/dev/mqueue',
    type: 'mqueue',
    source: 'mqueue',
    options: ['nosuid', 'noexec', 'nodev'],
  },
  {
    destination: '/sys',
    type: 'sysfs',
    source: 'sysfs',
    options: ['nosuid', 'noexec', 'nodev', 'ro'],
  },
  {
    destination: '/sys/fs/cgroup',
    type: 'cgroup',
    source: 'cgroup',
    options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
  },
];

/** Number of path components: the mount order key (parents before children). */
export function mountDepth(destination: string): number {
  return destination.split('/').filter((p) => p !== '').length;
}

/** Whether `path` is `dir` or inside it. */
function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

function tmpfsMount(spec: TmpfsSpec): OciMount {
  return {
    destination: spec.destination,
    type: 'tmpfs',
    source: 'tmpfs',
    options: [
      ...spec.flags,
      ...(spec.mode !== undefined ? [`mode=${spec.mode.toString(8).padStart(4, '0')}`] : []),
      `size=${spec.size}`,
    ],
  };
}

/**
 * Every mount, sorted by destination depth (stable, so equal depths keep this order: kernel
 * filesystems, vordr's files, volumes and binds, tmpfs, exceptions). Relative or duplicate
 * destinations and more than {@link MAX_RUN_MOUNTS} run mounts are `USAGE`.
 */
export function buildMounts(input: MountsInput): OciMount[] {
  const runCount = input.volumes.length + input.tmpfs.length;
  if (runCount > MAX_RUN_MOUNTS) {
    throw new VcError(
      'USAGE',
      `${runCount} mounts requested; at most ${MAX_RUN_MOUNTS} are allowed`,
    );
  }
  const seen = new Set<string>();
  const claim = (destination: string, what: string): string => {
    const normalized = normalizeContainerPath(destination, what);
    if (normalized === '/') throw new VcError('USAGE', `${what}: cannot mount over /`);
    if (seen.has(normalized)) {
      throw new VcError('USAGE', `${what}: ${normalized} is mounted twice`);
    }
    seen.add(normalized);
    return normalized;
  };

  const mounts: OciMount[] = [...KERNEL_MOUNTS.map((m) => ({ ...m, options: [...m.options] }))];
  for (const file of ['hosts', 'resolv.conf', 'hostname']) {
    mounts.push({
      destination: `/etc/${file}`,
      type: 'bind',
      source: posix.join(input.containerDir, file),
      options: ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec', 'ro'],
    });
  }
  for (const volume of input.volumes) {
    const destination = claim(volume.destination, `volume ${volume.source}`);
    if (!posix.isAbsolute(volume.source)) {
      throw new VcError('USAGE', `volume source ${JSON.stringify(volume.source)} is not absolute`);
    }
    mounts.push({
      destination,
      type: 'bind',
      source: volume.source,
      options: ['rbind', 'rprivate', 'nosuid', 'nodev', volume.readonly ? 'ro' : 'rw'],
    });
  }
  for (const spec of input.tmpfs) {
    mounts.push(tmpfsMount({ ...spec, destination: claim(spec.destination, '--tmpfs') }));
  }

  const covering = [...seen];
  for (const exception of input.exceptions) {
    const destination = normalizeContainerPath(exception, 'writable exception');
    if (covering.some((dir) => isWithin(destination, dir))) continue;
    const sticky = destination === '/tmp' || destination === '/var/tmp';
    const info = input.lookup(destination);
    const owner = info?.isDirectory === true ? info : { ...input.user, mode: 0o755 };
    const mode = sticky ? 0o1777 : owner.mode & 0o7777;
    mounts.push({
      destination,
      type: 'tmpfs',
      source: 'tmpfs',
      options: [
        'nosuid',
        'nodev',
        'noexec',
        `size=${EXCEPTION_TMPFS_SIZE}`,
        `mode=${mode.toString(8).padStart(4, '0')}`,
        ...(sticky ? [] : [`uid=${owner.uid}`, `gid=${owner.gid}`]),
      ],
    });
    covering.push(destination);
  }

  return mounts
    .map((mount, index) => ({ mount, index }))
    .sort(
      (a, b) =>
        mountDepth(a.mount.destination) - mountDepth(b.mount.destination) || a.index - b.index,
    )
    .map(({ mount }) => mount);
}
