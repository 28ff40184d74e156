// SPDX-License-Identifier: Apache-2.0
// Where an export goes: never over something that exists (an empty directory excepted), and
// only once complete (temporary file or directory next to it, then link or rename).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { ensureDirectory } from '../io/files.js';

/** Whether the output is a single file or a directory (the `oci` layout). */
export type OutputKind = 'file' | 'directory';

/**
 * Refuses an output that exists, before any work: FILE_EXISTS, except an empty directory for a
 * directory output (it is replaced).
 */
export async function checkOutput(path: string, kind: OutputKind): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.lstat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VcError('READ_FAILED', `cannot inspect ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return;
  }
  if (kind === 'directory' && isDirectory && (await fs.readdir(path)).length === 0) return;
  throw exists(path, kind);
}

/**
 * Publishes a file: `write` fills a temporary path in the same directory (with any atomic
 * writer); the result is then hard-linked to `path`, which fails rather than replace a file that
 * appeared meanwhile (FILE_EXISTS). The temporary file is always removed.
 */
export async function publishFile<T>(
  path: string,
  write: (tmpPath: string) => Promise<T>,
): Promise<T> {
  await ensureDirectory(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    const result = await write(tmp);
    try {
      await fs.link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw exists(path, 'file');
      throw new VcError('WRITE_FAILED', `cannot write ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return result;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Publishes a directory: `fill` writes into a new temporary directory next to `path`, which is
 * then renamed to `path` (replacing an empty directory, never a non-empty one: FILE_EXISTS). The
 * temporary directory is removed when anything fails.
 */
export async function publishDirectory<T>(
  path: string,
  fill: (tmpDir: string) => Promise<T>,
): Promise<T> {
  await ensureDirectory(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  await fs.mkdir(tmp, { mode: 0o755 });
  try {
    const result = await fill(tmp);
    await fs.chmod(tmp, 0o755);
    try {
      await fs.rename(tmp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw exists(path, 'directory');
      }
      throw new VcError('WRITE_FAILED', `cannot write ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return result;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A scratch directory next to `path` (same file system) for an export's intermediate files,
 * removed by `close` or `await using`.
 */
export async function scratchDirectory(
  path: string,
): Promise<{ readonly dir: string; close(): Promise<void> } & AsyncDisposable> {
  await ensureDirectory(dirname(path));
  const dir = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.scratch`);
  await fs.mkdir(dir, { mode: 0o700 });
  const close = () => fs.rm(dir, { recursive: true, force: true });
  return { dir, close, [Symbol.asyncDispose]: close };
}

function exists(path: string, kind: OutputKind): VcError {
  return new VcError('FILE_EXISTS', `${path} already exists`, {
    hint:
      kind === 'directory'
        ? 'remove it, or give --output a new path or an empty directory'
        : 'remove it, or give --output a new path',
  });
}
