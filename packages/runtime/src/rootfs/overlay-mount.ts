// SPDX-License-Identifier: Apache-2.0
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';

const run = promisify(execFile);

/** The kernel takes mount options up to one page. */
export const MAX_MOUNT_OPTIONS = 4095;

export interface OverlayLayout {
  /** Layer directories, top first. */
  readonly lowerDirs: readonly string[];
  readonly upperDir: string;
  readonly workDir: string;
  readonly target: string;
  /**
   * overlayfs `volatile` (Linux 5.10): no sync of the upper layer, at `syncfs` nor at unmount
   * (which otherwise syncs the whole host file system holding it). Only for an upper layer that
   * is thrown away with the container (`--rm`): after a host crash its content may be incomplete.
   */
  readonly volatile?: boolean;
}

/**
 * The overlay option string, or null when it cannot be written: a path holding `,`, `:` or `\`
 * (overlay's separators), or a string longer than a page (05 §4.4: then vordr copies). Pure.
 */
export function overlayOptions(layout: OverlayLayout): string | null {
  const paths = [...layout.lowerDirs, layout.upperDir, layout.workDir];
  if (layout.lowerDirs.length === 0 || paths.some((p) => /[,:\\]/.test(p))) return null;
  const options = `lowerdir=${layout.lowerDirs.join(':')},upperdir=${layout.upperDir},workdir=${layout.workDir}${layout.volatile === true ? ',volatile' : ''}`;
  return options.length > MAX_MOUNT_OPTIONS ? null : options;
}

/**
 * Mounts the overlay with `mount(8)`; false when the options cannot be written or mount fails.
 * A `volatile` mount the kernel refuses (before 5.10) is tried again without it.
 */
export async function tryMountOverlay(layout: OverlayLayout): Promise<boolean> {
  const options = overlayOptions(layout);
  if (options === null) return false;
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, layout.target]);
    return true;
  } catch {
    return layout.volatile === true ? tryMountOverlay({ ...layout, volatile: false }) : false;
  }
}

/**
 * The marker overlayfs leaves in the work dir of a `volatile` mount (`work/incompat/volatile`):
 * while it exists the kernel refuses to mount that upper layer again, even after a clean unmount.
 */
export function volatileMarker(workDir: string): string {
  return join(workDir, 'work', 'incompat', 'volatile');
}

/** Whether `path` is a mount point, from `/proc/self/mountinfo`. */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return parseMountPoints(info).includes(path);
}

/** Mount points of a mountinfo text (field 5, octal escapes decoded). Pure. */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Unmounts `path` when it is a mount point (idempotent). */
export async function unmount(path: string): Promise<void> {
  if (!(await isMountPoint(path))) return;
  try {
    await run('umount', [path]);
  } catch (cause) {
    throw new VcError('RUNTIME_ERROR', `cannot unmount ${path}`, { cause });
  }
}
