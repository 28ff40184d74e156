// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';

/**
 * Writes `path` as 00 §4.1 asks: a temporary file in the same directory, fsync'd, renamed over
 * the target, then the directory fsync'd. Readers see the old or the new file, never half of one.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  opts: { mode?: number } = {},
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
    await syncDir(dir);
  } catch (cause) {
    await fs.rm(tmp, { force: true });
    throw new VcError('WRITE_FAILED', `cannot write ${path}`, { cause });
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
