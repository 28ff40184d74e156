// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import { createDeterministicGzip } from './gzip.js';
import { LAYER_MEDIA_TYPE } from './media-types.js';
import { planLayer, type LayerInput } from './plan-layer.js';
import { encodeHeader, endOfArchive, paddingFor } from './ustar.js';

/**
 * Where the bytes of regular files come from, by the lowercase sha256 hex of the file table
 * (`FileEntry.digest`). Owned by the layer writer; `content/DirectoryContentStore` satisfies it.
 */
export interface ContentSource {
  open(digest: string): Readable | AsyncIterable<Uint8Array>;
}

export interface PackOptions {
  readonly content: ContentSource;
  /** SOURCE_DATE_EPOCH (01 §6.3): every mtime is clamped to it; seconds. */
  readonly sourceDateEpoch: number;
}

/** A packed layer: the identities the config and manifest need. */
export interface PackedLayer {
  readonly mediaType: typeof LAYER_MEDIA_TYPE;
  /** `sha256:` of the uncompressed tar (config `rootfs.diff_ids`). */
  readonly diffId: string;
  /** `sha256:` of the gzip blob (manifest layer descriptor). */
  readonly digest: string;
  /** Bytes of the gzip blob. */
  readonly size: number;
  /** Bytes of the uncompressed tar. */
  readonly tarSize: number;
}

/** Chunks handed downstream are at least this big, so hashing and zlib see few small writes. */
const CHUNK = 64 * 1024;

/**
 * The uncompressed layer tar (01 §6.3), streamed: headers are built from the plan and file
 * contents are pulled from `content` one at a time, so memory stays bounded by the chunk size.
 */
export async function* tarLayer(input: LayerInput, opts: PackOptions): AsyncGenerator<Uint8Array> {
  const members = planLayer(input, opts.sourceDateEpoch);
  yield* coalesce(
    (async function* () {
      for (const member of members) {
        yield* encodeHeader(member.header);
        if (member.content === undefined) continue;
        const { digest, size } = member.content;
        let seen = 0;
        for await (const chunk of opts.content.open(digest) as AsyncIterable<Uint8Array>) {
          seen += chunk.byteLength;
          if (seen > size) break;
          yield chunk;
        }
        // The header already promised `size` bytes: anything else would corrupt the archive.
        if (seen !== size) {
          throw new VcError(
            'STATE_CORRUPT',
            `content ${digest} of ${member.header.name} has ${seen > size ? 'more' : 'fewer'} than ${size} bytes`,
            { hint: 'the build cache is damaged; rebuild with --no-cache' },
          );
        }
        yield paddingFor(size);
      }
      yield endOfArchive();
    })(),
  );
}

/**
 * Packs a layer into `sink` as a deterministic gzip blob and returns its identities, computed in
 * the same single pass: tar bytes → sha256 (diffID) → gzip → sha256 (digest) → sink.
 */
export async function writeLayer(
  input: LayerInput,
  opts: PackOptions,
  sink: Writable,
): Promise<PackedLayer> {
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  let tarSize = 0;
  let size = 0;
  const [gzip, patch] = createDeterministicGzip();
  await pipeline(
    Readable.from(tarLayer(input, opts)),
    async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        tarHash.update(chunk);
        tarSize += chunk.byteLength;
        yield chunk;
      }
    },
    gzip,
    patch,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        gzHash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    },
    sink,
  );
  return {
    mediaType: LAYER_MEDIA_TYPE,
    diffId: `sha256:${tarHash.digest('hex')}`,
    digest: `sha256:${gzHash.digest('hex')}`,
    size,
    tarSize,
  };
}

async function* coalesce(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of source) {
    if (chunk.byteLength === 0) continue;
    if (length === 0 && chunk.byteLength >= CHUNK) {
      yield chunk;
      continue;
    }
    parts.push(chunk);
    length += chunk.byteLength;
    if (length >= CHUNK) {
      yield Buffer.concat(parts, length);
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield Buffer.concat(parts, length);
}
