// SPDX-License-Identifier: Apache-2.0
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { VcError } from '@verified-container/shared';
import { syncPath, writeContentAddressed, type BlobSource } from '../store/content-addressed.js';

/** fsyncs in flight at once during `flush`. */
const FLUSH_PARALLEL = 64;

export interface StoredContent {
  /** Lowercase sha256 hex of the bytes. */
  readonly digest: string;
  readonly size: number;
}

/**
 * File contents of the build's root filesystems, addressed by sha256. The file table holds
 * digests; bytes live here once however many layers or images share them.
 */
export interface ContentStore {
  /** Stores bytes; with `expected`, a digest or size mismatch fails before anything is kept. */
  put(data: BlobSource, expected?: { digest: string; size?: number }): Promise<StoredContent>;
  has(digest: string): Promise<boolean>;
  open(digest: string): Readable;
  read(digest: string): Promise<Uint8Array>;
  /** Path of the stored file, for tools that need one (read-only). */
  pathOf(digest: string): string;
  /** Makes everything stored so far durable (before a record refers to it). */
  flush(): Promise<void>;
}

/**
 * A content-addressed directory `<dir>/sha256/<hex>` (temp file, check, rename). Files are made
 * durable in batches: `flush` fsyncs everything written since the last flush (in parallel, which
 * the file system journals together) and the directory; call it before recording anything that
 * refers to the contents. One fsync per file was most of the time of a large install.
 */
export class DirectoryContentStore implements ContentStore {
  private readonly unsynced = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Makes every file written so far durable. */
  async flush(): Promise<void> {
    const paths = [...this.unsynced];
    this.unsynced.clear();
    if (paths.length === 0) return;
    for (let i = 0; i < paths.length; i += FLUSH_PARALLEL) {
      await Promise.all(paths.slice(i, i + FLUSH_PARALLEL).map((p) => syncPath(p)));
    }
    await syncPath(join(this.dir, 'sha256'));
  }

  pathOf(digest: string): string {
    if (!/^[0-9a-f]{64}$/.test(digest)) {
      throw new VcError('INTERNAL', `not a sha256 digest: ${digest}`);
    }
    return join(this.dir, 'sha256', digest);
  }

  async put(
    data: BlobSource,
    expected?: { digest: string; size?: number },
  ): Promise<StoredContent> {
    const { hex, size } = await writeContentAddressed(
      {
        dir: join(this.dir, 'sha256'),
        tmpDir: this.dir,
        deferSync: (path) => this.unsynced.add(path),
      },
      data,
      expected === undefined
        ? undefined
        : {
            hex: expected.digest,
            ...(expected.size !== undefined ? { size: expected.size } : {}),
            mismatchCode: 'BUILD_HASH_MISMATCH',
            what: 'content',
          },
    );
    return { digest: hex, size };
  }

  async has(digest: string): Promise<boolean> {
    try {
      await fs.access(this.pathOf(digest));
      return true;
    } catch {
      return false;
    }
  }

  open(digest: string): Readable {
    const path = this.pathOf(digest);
    const missing = (cause: unknown) => this.missing(digest, cause);
    return Readable.from(
      (async function* () {
        try {
          for await (const chunk of createReadStream(path)) yield chunk as Buffer;
        } catch (cause) {
          throw (cause as NodeJS.ErrnoException).code === 'ENOENT' ? missing(cause) : cause;
        }
      })(),
      { objectMode: false },
    );
  }

  async read(digest: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await fs.readFile(this.pathOf(digest)));
    } catch (cause) {
      throw this.missing(digest, cause);
    }
  }

  private missing(digest: string, cause: unknown): VcError {
    return new VcError('STATE_CORRUPT', `content sha256:${digest} is missing from ${this.dir}`, {
      cause,
      hint: 'rebuild with --no-cache',
    });
  }
}
