// SPDX-License-Identifier: Apache-2.0
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';

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
  put(data: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<StoredContent>;
  has(digest: string): Promise<boolean>;
  open(digest: string): Readable;
  read(digest: string): Promise<Uint8Array>;
  /** Path of the stored file, for tools that need one (read-only). */
  pathOf(digest: string): string;
}

/** A content-addressed directory: `<dir>/sha256/<hex>`, written through a temp file and a rename. */
export class DirectoryContentStore implements ContentStore {
  constructor(private readonly dir: string) {}

  pathOf(digest: string): string {
    if (!/^[0-9a-f]{64}$/.test(digest)) {
      throw new VcError('INTERNAL', `not a sha256 digest: ${digest}`);
    }
    return join(this.dir, 'sha256', digest);
  }

  async put(data: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<StoredContent> {
    await fs.mkdir(join(this.dir, 'sha256'), { recursive: true });
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const source = data instanceof Uint8Array ? Readable.from([data]) : Readable.from(data);
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(tmp, { mode: 0o644 }),
      );
      const digest = hash.digest('hex');
      // Same digest, same bytes: a concurrent writer of the same content is harmless.
      await fs.rename(tmp, this.pathOf(digest));
      return { digest, size };
    } catch (cause) {
      await fs.rm(tmp, { force: true });
      throw new VcError('WRITE_FAILED', `cannot store content in ${this.dir}`, { cause });
    }
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
    return createReadStream(this.pathOf(digest));
  }

  async read(digest: string): Promise<Uint8Array> {
    return new Uint8Array(await fs.readFile(this.pathOf(digest)));
  }
}
