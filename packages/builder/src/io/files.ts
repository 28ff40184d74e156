// SPDX-License-Identifier: Apache-2.0
import { constants, promises as fs } from 'node:fs';
import { VcError } from '@verified-container/shared';

export { writeFileAtomic } from '@verified-container/host';

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
