// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { VcError } from '@verified-container/shared';
import type { Descriptor } from '../oci/media-types.js';
import type { BlobReader } from '../store/oci-layout-store.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Blobs of an OCI image layout that is not the store (`oci:<dir>`, a package's `oci-layout/`).
 * The bytes came from outside, so a missing or mismatching blob is MALFORMED_BUNDLE.
 */
export class LayoutBlobReader implements BlobReader {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Reads a whole blob and checks its digest. */
  async readBlob(digest: string): Promise<Uint8Array> {
    const path = this.blobPath(digest);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path));
    } catch (cause) {
      throw missing(this.dir, digest, cause);
    }
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) throw mismatch(`blob ${digest} in ${this.dir}`, `digest ${actual}`);
    return bytes;
  }

  /** Streams a blob; the consumer checks what it reads (see {@link openVerifiedBlob}). */
  openBlob(digest: string): Readable {
    const path = this.blobPath(digest);
    const dir = this.dir;
    return Readable.from(
      (async function* () {
        try {
          yield* createReadStream(path) as AsyncIterable<Buffer>;
        } catch (cause) {
          throw missing(dir, digest, cause);
        }
      })(),
      { objectMode: false },
    );
  }

  blobPath(digest: string): string {
    // The hex becomes a file name: anything but a sha256 digest could leave the blobs directory.
    if (!DIGEST.test(digest)) {
      throw new VcError('MALFORMED_BUNDLE', `${this.dir}: not a sha256 digest: ${digest}`);
    }
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }
}

/**
 * A blob's bytes as they stream, checked against its descriptor: when the stream ends, a size or
 * sha256 other than the descriptor's → MALFORMED_BUNDLE, so a consumer writing to a temporary
 * file never publishes damaged bytes.
 */
export async function* openVerifiedBlob(
  blobs: BlobReader,
  d: Pick<Descriptor, 'digest' | 'size'>,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of blobs.openBlob(d.digest) as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
    if (size > d.size) throw mismatch(`blob ${d.digest}`, `more than ${d.size} bytes`);
    yield chunk;
  }
  if (size !== d.size) throw mismatch(`blob ${d.digest}`, `${size} bytes, not ${d.size}`);
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== d.digest) throw mismatch(`blob ${d.digest}`, `digest ${actual}`);
}

function missing(dir: string, digest: string, cause: unknown): VcError {
  return new VcError('MALFORMED_BUNDLE', `blob ${digest} is missing from ${dir}`, { cause });
}

function mismatch(what: string, got: string): VcError {
  return new VcError('MALFORMED_BUNDLE', `${what} does not match its descriptor: it has ${got}`);
}
