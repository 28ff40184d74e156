// SPDX-License-Identifier: Apache-2.0
// Reading an image's layer back as file-table entries, whiteouts and opaque directories (01 §4: a
// base's root filesystem), file contents kept in the content store. `applyLayer` of layer-diff.ts
// lays the result over the layers below.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { VcError } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import { extract as tarExtract } from 'tar-stream';
import type { ContentStore } from '../content/content-store.js';
import { memberBase, memberPath, memberTypeOf, specialEntry, symlinkEntry } from './tar-member.js';

/** Files up to this size are hashed in memory first, so content already stored is not rewritten. */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/** One layer's own view: entries, whiteouts (paths removed below) and opaque directories. */
export interface LayerChanges {
  readonly entries: readonly FileEntry[];
  readonly whiteouts: readonly string[];
  readonly opaqueDirs: readonly string[];
}

/**
 * Reads one gzip'd layer tar. `id` (the layer's diff id) names the layer in errors and makes
 * hardlinked files' `inodeKey`s. Names that climb out of the root, hardlinks to anything but an
 * earlier file of the layer or a lower file → BUILD_ARCHIVE_UNSAFE.
 */
export async function readLayer(
  blob: Readable,
  id: string,
  content: ContentStore,
  lower: ReadonlyMap<string, FileEntry>,
): Promise<LayerChanges> {
  const entries: FileEntry[] = [];
  const indexByPath = new Map<string, number>();
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  const gunzip = createGunzip();
  const extract = tarExtract();
  blob.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', (err) => extract.destroy(err));
  blob.pipe(gunzip).pipe(extract);
  try {
    for await (const member of extract) {
      const header = member.header;
      const body = member as AsyncIterable<Uint8Array>;
      const path = memberPath(header.name, `layer ${id}`);
      if (path === '/') {
        member.resume();
        continue;
      }
      const slash = path.lastIndexOf('/');
      const dir = path.slice(0, slash) || '/';
      const base = path.slice(slash + 1);
      if (base === OPAQUE_MARKER) {
        opaqueDirs.push(dir);
        member.resume();
        continue;
      }
      if (base.startsWith(WHITEOUT_PREFIX)) {
        whiteouts.push(`${dir === '/' ? '' : dir}/${base.slice(WHITEOUT_PREFIX.length)}`);
        member.resume();
        continue;
      }
      const type = memberTypeOf(header, id);
      const meta = memberBase(header, path);
      indexByPath.set(path, entries.length);
      switch (type) {
        case 'f': {
          const stored = await storeBody(body, header.size ?? 0, content);
          entries.push({ ...meta, type: 'f', ...stored });
          break;
        }
        case 'hardlink': {
          member.resume();
          const target = memberPath(header.linkname ?? '', `layer ${id}`);
          const at = indexByPath.get(target);
          const first = at === undefined ? lower.get(target) : entries[at];
          if (first?.type !== 'f') {
            throw new VcError(
              'BUILD_ARCHIVE_UNSAFE',
              `layer ${id}: hardlink ${path} points to ${target}, which is not an earlier file`,
            );
          }
          const inodeKey = first.inodeKey ?? `${id}:${first.path}`;
          if (at !== undefined && first.inodeKey === undefined)
            entries[at] = { ...first, inodeKey };
          entries.push({ ...meta, type: 'f', size: first.size, digest: first.digest, inodeKey });
          break;
        }
        case 'l':
          member.resume();
          entries.push(symlinkEntry(meta, header.linkname ?? ''));
          break;
        case 'd':
        case 'p':
        case 'c':
        case 'b':
          member.resume();
          entries.push(specialEntry(meta, type, header));
      }
    }
  } catch (err) {
    extract.destroy();
    gunzip.destroy();
    blob.destroy();
    if (err instanceof VcError) throw err;
    throw new VcError('BUILD_ARCHIVE_UNSAFE', `cannot read layer ${id}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  return { entries, whiteouts, opaqueDirs };
}

/** Stores a file's bytes; small files already in the store are only hashed. */
async function storeBody(
  body: AsyncIterable<Uint8Array>,
  size: number,
  content: ContentStore,
): Promise<{ digest: string; size: number }> {
  if (size > IN_MEMORY_BYTES) return content.put(body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (await content.has(digest)) return { digest, size: bytes.byteLength };
  return content.put(bytes, { digest, size: bytes.byteLength });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
