// SPDX-License-Identifier: Apache-2.0
import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';

/** Bytes to store: held in memory or streamed. */
export type BlobSource = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface ContentAddressedTarget {
  /** Where the temporary file is written; same file system as `dir`, outside it. */
  readonly tmpDir: string;
  /** The final file is `<dir>/<hex>`. */
  readonly dir: string;
  /**
   * Called instead of the two fsyncs with the final path, when the caller syncs later in one
   * batch (a build cache); without it every write is durable before it returns.
   */
  readonly deferSync?: (path: string) => void;
}

export interface ExpectedContent {
  /** Bare lowercase hex of the sha256 the bytes must have. */
  readonly hex?: string;
  readonly size?: number;
  /** Error code of a mismatch (the caller knows what a mismatch means). */
  readonly mismatchCode: string;
  /** What the bytes are, for the message. */
  readonly what: string;
}

/**
 * Stores bytes under their sha256 (00 §4.1): written to a temporary file, fsync'd, checked
 * against `expected`, then renamed to `<dir>/<hex>` and the directory fsync'd. Two writers of the
 * same bytes both rename a complete file onto the same name, so concurrent writes are harmless.
 * With an expected digest whose file already exists the source is not read at all.
 */
export async function writeContentAddressed(
  target: ContentAddressedTarget,
  source: BlobSource,
  expected?: ExpectedContent,
): Promise<{ hex: string; size: number }> {
  if (expected?.hex !== undefined) {
    const existing = await sizeOf(join(target.dir, expected.hex));
    if (existing !== null && (expected.size === undefined || existing === expected.size)) {
      if (source instanceof Readable) source.destroy();
      return { hex: expected.hex, size: existing };
    }
  }
  await fs.mkdir(target.dir, { recursive: true, mode: 0o755 });
  await fs.mkdir(target.tmpDir, { recursive: true, mode: 0o755 });
  const tmp = join(target.tmpDir, `.tmp-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  let out: WriteStream | undefined;
  try {
    const input = source instanceof Uint8Array ? Readable.from([source]) : source;
    out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
    await pipeline(
      input,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.byteLength;
          yield chunk;
        }
      },
      out,
    );
    if (target.deferSync === undefined) await syncPath(tmp);
    const hex = hash.digest('hex');
    if (expected !== undefined) {
      const badDigest = expected.hex !== undefined && expected.hex !== hex;
      const badSize = expected.size !== undefined && expected.size !== size;
      if (badDigest || badSize) {
        throw new VcError(
          expected.mismatchCode,
          badDigest
            ? `${expected.what}: sha256 mismatch: expected ${expected.hex}, got ${hex}`
            : `${expected.what}: size mismatch: expected ${expected.size}, got ${size}`,
        );
      }
    }
    const final = join(target.dir, hex);
    await fs.rename(tmp, final);
    if (target.deferSync === undefined) await syncPath(target.dir);
    else target.deferSync(final);
    return { hex, size };
  } catch (cause) {
    // A source that fails at once can leave the stream still opening the file: wait for it to
    // close, or the file would appear after the removal.
    if (out !== undefined && !out.closed) {
      out.destroy();
      await once(out, 'close').catch(() => undefined);
    }
    await fs.rm(tmp, { force: true });
    if (cause instanceof VcError) throw cause;
    throw new VcError('WRITE_FAILED', `cannot store ${expected?.what ?? 'blob'} in ${target.dir}`, {
      cause,
    });
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await fs.stat(path)).size;
  } catch {
    return null;
  }
}

/** fsync of a file or a directory (00 §4.1). */
export async function syncPath(path: string): Promise<void> {
  const handle = await fs.open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
