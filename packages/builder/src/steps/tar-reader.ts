// SPDX-License-Identifier: Apache-2.0
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { VcError } from '@verified-container/shared';
import { extract as tarExtract, type Header } from 'tar-stream';
import type { ArchiveEntry, ArchiveEntryType } from './archive-entry.js';
import type { StreamExec } from './exec.js';

/** The host command that decompresses `.tar.xz` (Node has no xz). */
export const XZ_DECOMPRESS = ['xz', '-dc'] as const;

/**
 * Reads a tar, gzip'd tar or xz'd tar (through `xz -dc` on the host) member by member. Each body
 * must be read or left before asking for the next entry. A damaged archive → BUILD_STEP_FAILED.
 */
export async function* readTar(
  source: Readable,
  format: 'tar' | 'tar.gz' | 'tar.xz',
  exec: StreamExec,
  name: string,
): AsyncGenerator<ArchiveEntry> {
  const streams: Readable[] = [source];
  let decoded: Readable = source;
  if (format === 'tar.gz') {
    const gunzip = createGunzip();
    source.on('error', (err) => gunzip.destroy(err));
    decoded = source.pipe(gunzip);
    streams.push(gunzip);
  } else if (format === 'tar.xz') {
    decoded = exec.pipe(XZ_DECOMPRESS, source, { package: 'xz-utils' });
    streams.push(decoded);
  }
  const extract = tarExtract();
  decoded.on('error', (err) => extract.destroy(err));
  decoded.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const type = typeOf(h.type);
      yield {
        header: {
          name: h.name,
          type,
          // tar-stream leaves fields of old-style headers unset, whatever its types say.
          mode: h.mode ?? (type === 'directory' ? 0o755 : 0o644),
          size: h.size ?? 0,
          ...(typeof h.linkname === 'string' ? { linkName: h.linkname } : {}),
        },
        body: bytesOf(entry),
      };
      // Whatever the reader left of the body is skipped.
      entry.resume();
    }
  } catch (err) {
    if (err instanceof VcError) throw err;
    throw new VcError('BUILD_STEP_FAILED', `cannot read ${name} as ${format}: ${messageOf(err)}`, {
      cause: err,
    });
  } finally {
    extract.destroy();
    for (const stream of streams) stream.destroy();
  }
}

async function* bytesOf(source: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield chunk as Uint8Array;
}

/** tar-stream gives null for a type flag it does not know (sparse files, volume labels…). */
function typeOf(type: Header['type'] | null): ArchiveEntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
      return 'character-device';
    case 'block-device':
      return 'block-device';
    case 'fifo':
      return 'fifo';
    case null:
      return 'unknown';
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
