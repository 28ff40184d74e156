// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageLayer } from '../image/store-image.js';
import { containerPaths, vordrPaths } from '../store/vordr-paths.js';
import { copyLayers } from './copy-layers.js';
import { isMountPoint, tryMountOverlay, unmount, volatileMarker } from './overlay-mount.js';
import type { SpecialFiles } from './special-files.js';
import { unpackLayer } from './unpack-layer.js';

/** How a container's root filesystem is made (`info`: `rootfs: overlay|copy`). */
export type RootfsMode = 'overlay' | 'copy';

export interface PrepareRootfsOptions {
  readonly root: string;
  readonly containerId: string;
  /** Bottom-up, as the image lists them. */
  readonly layers: readonly ImageLayer[];
  /** Opens a layer blob by digest. */
  readonly openBlob: (digest: string) => Readable;
  readonly special: SpecialFiles;
  /**
   * The container is removed when it exits (`--rm`): its upper layer is mounted `volatile` (no
   * sync of the host file system at unmount). Such a container does not outlive the boot it was
   * created in (after a reboot reconciliation removes it, 05 §13), so the marker of an earlier
   * volatile mount in this boot is removed before a remount.
   */
  readonly volatile?: boolean;
}

export interface PreparedRootfs {
  readonly mode: RootfsMode;
  /** `containers/<id>/rootfs`. */
  readonly path: string;
  /** The unpacked layer directories, bottom-up. */
  readonly layerDirs: readonly string[];
}

/**
 * Makes `containers/<id>/rootfs` (05 §4.4): unpacks every layer once into the cache, then mounts
 * an overlay (lowerdir = layers top first, upper/work in `containers/<id>/overlay`); when the
 * mount fails, copies the flattened layers instead. The container directory must exist.
 */
export async function prepareContainerRootfs(opts: PrepareRootfsOptions): Promise<PreparedRootfs> {
  const layerDirs: string[] = [];
  for (const layer of opts.layers) {
    layerDirs.push(
      await unpackLayer({
        root: opts.root,
        layer,
        open: () => opts.openBlob(layer.digest),
        special: opts.special,
      }),
    );
  }
  const paths = containerPaths(opts.root, opts.containerId);
  await fs.mkdir(paths.rootfs, { recursive: true, mode: 0o755 });
  await fs.mkdir(paths.upper, { recursive: true, mode: 0o755 });
  await fs.mkdir(paths.work, { recursive: true, mode: 0o700 });
  const volatile = opts.volatile === true;
  if (volatile) await fs.rm(volatileMarker(paths.work), { recursive: true, force: true });
  const mounted = await tryMountOverlay({
    lowerDirs: [...layerDirs].reverse(),
    upperDir: paths.upper,
    workDir: paths.work,
    target: paths.rootfs,
    volatile,
  });
  if (mounted) return { mode: 'overlay', path: paths.rootfs, layerDirs };
  await fs.rm(paths.overlay, { recursive: true, force: true });
  await copyLayers(layerDirs, paths.rootfs, opts.special);
  return { mode: 'copy', path: paths.rootfs, layerDirs };
}

/** Unmounts (when mounted) and removes a container's rootfs and overlay dirs (idempotent). */
export async function releaseContainerRootfs(root: string, containerId: string): Promise<void> {
  const paths = containerPaths(root, containerId);
  await unmount(paths.rootfs);
  await fs.rm(paths.rootfs, { recursive: true, force: true });
  await fs.rm(paths.overlay, { recursive: true, force: true });
}

/**
 * Which mode a container rootfs would get on this store (for `info`): mounts a one-layer
 * overlay in a scratch directory under `cache/` and removes it again.
 */
export async function probeRootfsMode(root: string): Promise<RootfsMode> {
  const cache = join(vordrPaths(root).root, 'cache');
  await fs.mkdir(cache, { recursive: true, mode: 0o755 });
  const scratch = await fs.mkdtemp(
    join(cache, `.overlay-probe-${randomBytes(3).toString('hex')}-`),
  );
  const dirs = ['lower', 'upper', 'work', 'merged'].map((d) => join(scratch, d));
  try {
    for (const d of dirs) await fs.mkdir(d);
    const [lower, upper, work, merged] = dirs as [string, string, string, string];
    const ok = await tryMountOverlay({
      lowerDirs: [lower],
      upperDir: upper,
      workDir: work,
      target: merged,
    });
    if (ok) await unmount(merged);
    return ok ? 'overlay' : 'copy';
  } finally {
    if (!(await isMountPoint(join(scratch, 'merged')))) {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }
}
