// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';

/**
 * Writes a file atomically (00 §4.1): temporary file in the same directory, fsync, rename over
 * the target, fsync the directory. Readers see the old or the new file, never a partial one.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  opts: { mode?: number; exclusive?: boolean } = {},
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
    if (opts.mode !== undefined) await fs.chmod(tmp, opts.mode);
    if (opts.exclusive === true) {
      // link() fails when the target exists, so an exclusive write never replaces a file.
      await fs.link(tmp, path);
      await fs.unlink(tmp);
    } else {
      await fs.rename(tmp, path);
    }
    await syncDirectory(dir);
  } catch (cause) {
    await fs.rm(tmp, { force: true });
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new VcError('FILE_EXISTS', `${path} already exists`, { cause, hint: 'use --force' });
    }
    throw new VcError('WRITE_FAILED', `cannot write ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
