// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';

/**
 * Reads a whole file, refusing to read more than `maxBytes + 1` bytes so a caller can report
 * "too large" without loading a huge file. Failures become READ_FAILED naming the path.
 */
export async function readInputFile(
  path: string,
  opts: { maxBytes?: number; what?: string } = {},
): Promise<Uint8Array> {
  const what = opts.what ?? 'file';
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY);
  } catch (cause) {
    throw readError(path, what, cause);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      throw new VcError('READ_FAILED', `cannot read ${what} ${path}: it is a directory`);
    }
    const limit = opts.maxBytes === undefined ? undefined : opts.maxBytes + 1;
    if (limit === undefined) return new Uint8Array(await handle.readFile());
    const buf = Buffer.alloc(Math.min(limit, Math.max(stat.size, 0) + 1 || limit));
    let total = 0;
    for (;;) {
      if (total === buf.length) break;
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return new Uint8Array(buf.subarray(0, total));
  } catch (cause) {
    if (cause instanceof VcError) throw cause;
    throw readError(path, what, cause);
  } finally {
    await handle.close();
  }
}

function readError(path: string, what: string, cause: unknown): VcError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String((cause as Error | undefined)?.message ?? cause);
  return new VcError('READ_FAILED', `cannot read ${what} ${path}: ${reason}`, {
    cause,
    hint: code === 'ENOENT' ? 'check the path' : undefined,
  });
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

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

export async function ensureDirectory(path: string, mode = 0o755): Promise<void> {
  try {
    await fs.mkdir(path, { recursive: true, mode });
  } catch (cause) {
    throw new VcError(
      'WRITE_FAILED',
      `cannot create directory ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/** First line of a file with the final LF removed (02 §8 passphrase files). */
export async function readFirstLine(path: string, what: string): Promise<string> {
  const text = Buffer.from(await readInputFile(path, { maxBytes: 64 * 1024, what })).toString(
    'utf8',
  );
  return text.split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
}
