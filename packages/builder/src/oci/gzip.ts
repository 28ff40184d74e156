// SPDX-License-Identifier: Apache-2.0
import { Transform, type TransformCallback } from 'node:stream';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { VcError } from '@verified-container/shared';

/** Compression level of layer blobs (01 §6.3). */
export const GZIP_LEVEL = 6;

/**
 * The fixed member header of every layer blob (01 §6.3): magic, deflate, no flags (so no file
 * name), mtime 0, XFL 0, OS 3 (Unix).
 */
export const GZIP_HEADER: Readonly<Uint8Array> = Uint8Array.of(
  0x1f,
  0x8b,
  0x08,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x03,
);

const ZLIB_OPTIONS = { level: GZIP_LEVEL, strategy: constants.Z_DEFAULT_STRATEGY };

/**
 * The two pipeline stages of a deterministic gzip stream: zlib, then a header rewrite. Its bytes
 * depend only on the input and on the zlib build (`process.versions.zlib`). zlib already writes
 * mtime 0 and no name, but the OS byte is the one zlib was compiled for (3 on Linux, 19 on some
 * macOS builds) and XFL varies with the level, so the 10 header bytes become {@link GZIP_HEADER}.
 * Two stages rather than one duplex because `stream.compose` is still experimental in Node 20.
 */
export function createDeterministicGzip(): [Transform, Transform] {
  return [createGzip(ZLIB_OPTIONS), new HeaderPatch()];
}

/** Deterministic gzip of bytes held in memory (small blobs, tests). */
export function gzipBytes(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(gzipSync(data, ZLIB_OPTIONS));
  checkHeader(out);
  out.set(GZIP_HEADER, 0);
  return out;
}

function checkHeader(bytes: Uint8Array): void {
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== GZIP_HEADER[i]) {
      throw new VcError('INTERNAL', 'zlib wrote an unexpected gzip header');
    }
  }
}

class HeaderPatch extends Transform {
  private seen = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.seen < GZIP_HEADER.length) {
      const copy = Buffer.from(chunk);
      for (let i = 0; i < copy.length && this.seen < GZIP_HEADER.length; i++, this.seen++) {
        // Bytes 0–3 must already be ours: a name or extra field would shift the header.
        if (this.seen < 4 && copy[i] !== GZIP_HEADER[this.seen]) {
          done(new VcError('INTERNAL', 'zlib wrote an unexpected gzip header'));
          return;
        }
        copy[i] = GZIP_HEADER[this.seen]!;
      }
      done(null, copy);
      return;
    }
    done(null, chunk);
  }
}
