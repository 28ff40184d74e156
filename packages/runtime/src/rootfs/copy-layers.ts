// SPDX-License-Identifier: Apache-2.0
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';
import type { SpecialFiles } from './special-files.js';

const run = promisify(execFile);

/**
 * The copy fallback of 05 §4.4: lays the unpacked layers (bottom first) into `target` as overlay
 * would show them. For each layer, what its whiteouts (character devices 0/0) and opaque
 * directories hide is removed from `target`, then the layer is copied with `cp -a` (owners,
 * modes, times, xattrs), then the whiteout nodes it brought are removed.
 */
export async function copyLayers(
  layerDirs: readonly string[],
  target: string,
  special: SpecialFiles,
): Promise<void> {
  await fs.mkdir(target, { recursive: true, mode: 0o755 });
  for (const dir of layerDirs) {
    const whiteouts = await findWhiteouts(dir);
    for (const rel of whiteouts) await fs.rm(join(target, rel), { recursive: true, force: true });
    for (const opaque of await special.listOpaqueDirs(dir)) {
      const inTarget = join(target, relative(dir, opaque));
      const stat = await fs.lstat(inTarget).catch(() => null);
      if (stat?.isDirectory() === true) {
        for (const name of await fs.readdir(inTarget)) {
          await fs.rm(join(inTarget, name), { recursive: true, force: true });
        }
      }
    }
    try {
      await run('cp', ['-a', '--no-target-directory', `${dir}/.`, target]);
    } catch (cause) {
      throw new VcError('RUNTIME_ERROR', `cannot copy layer ${dir} into ${target}`, { cause });
    }
    for (const rel of whiteouts) await fs.rm(join(target, rel), { force: true });
  }
}

/** Paths (relative to `dir`) of the overlay whiteouts of an unpacked layer. */
async function findWhiteouts(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await findWhiteouts(dir, path)));
    else if (entry.isCharacterDevice() && (await fs.lstat(join(dir, path))).rdev === 0) {
      out.push(path);
    }
  }
  return out;
}
