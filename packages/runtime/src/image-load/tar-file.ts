// SPDX-License-Identifier: Apache-2.0
import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { VcError } from '@verified-container/shared';
import type { PackageEntryType } from '@verified-container/shared/image';
import { extract as tarExtract, type Header } from 'tar-stream';

/** One member of a tar being read: its header and body (read it, or not, before the next). */
export interface TarMember {
  readonly name: string;
  readonly type: PackageEntryType;
  readonly size: number;
  readonly linkName?: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: Date;
  readonly body: AsyncIterable<Uint8Array>;
}

/** What the first bytes of a file say it is. */
export type TarFormat = 'tar' | 'tar.gz';

/**
 * Whether `head` (the first 512 bytes or fewer) starts a gzip stream or a ustar tar; undefined
 * when it is neither. Pure.
 */
export function tarFormatOf(head: Uint8Array): TarFormat | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') {
    return 'tar';
  }
  return undefined;
}

/** The first 512 bytes of a file (fewer when it is shorter). READ_FAILED when unreadable. */
export async function readHead(path: string, display = path): Promise<Uint8Array> {
  const head = new Uint8Array(512);
  try {
    const handle = await fs.open(path, 'r');
    try {
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new VcError('READ_FAILED', `cannot read ${display}`, { cause });
  }
}

/**
 * The members of a tar stream, gzip-decompressed when `format` says so. Damaged data makes the
 * iteration throw the stream's own error; the caller translates it.
 */
export async function* readTarStream(
  source: Readable,
  format: TarFormat,
): AsyncGenerator<TarMember> {
  const extract = tarExtract();
  const stages = [source, ...(format === 'tar.gz' ? [createGunzip()] : []), extract] as const;
  const flowing = pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]]);
  let failure: unknown;
  flowing.catch((err: unknown) => {
    failure = err;
    extract.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  try {
    for await (const entry of extract) {
      const h = entry.header;
      yield {
        name: h.name,
        type: typeOf(h.type),
        size: h.size ?? 0,
        ...(h.linkname !== undefined && h.linkname !== null ? { linkName: h.linkname } : {}),
        mode: h.mode ?? 0o644,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        mtime: h.mtime ?? new Date(0),
        body: entry as AsyncIterable<Uint8Array>,
      };
      entry.resume();
    }
    await flowing;
  } finally {
    extract.destroy();
    source.destroy();
  }
  if (failure !== undefined) {
    throw failure instanceof Error
      ? failure
      : new Error('the tar stream failed', { cause: failure });
  }
}

/** The members of the tar file at `path` (gzip told by its magic bytes; else plain tar). */
export function readTarFile(path: string, format: TarFormat): AsyncGenerator<TarMember> {
  return readTarStream(createReadStream(path), format);
}

/** tar-stream's type flags as the package rules name them. */
function typeOf(type: Header['type'] | null | undefined): PackageEntryType {
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
    case undefined:
      return 'unknown';
  }
}
