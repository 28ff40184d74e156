// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { VcError } from '@verified-container/shared';

/**
 * Writes `path` through `fill(sink)` into a temporary file beside it, fsync'd and renamed over
 * `path` when `fill` has finished (its pipeline ends the sink), so a failed export leaves no
 * half file.
 */
export async function writeStreamAtomic(
  path: string,
  fill: (sink: Writable) => Promise<void>,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fill(createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
    const handle = await fs.open(tmp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (cause) {
    await fs.rm(tmp, { force: true });
    if (cause instanceof VcError) throw cause;
    throw new VcError('WRITE_FAILED', `cannot write ${path}`, { cause });
  }
}
