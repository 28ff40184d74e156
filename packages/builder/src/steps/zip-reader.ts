// SPDX-License-Identifier: Apache-2.0
// A small zip reader: the central directory, stored and deflated members, CRC and size checked.
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { crc32, createInflateRaw, type InflateRaw } from 'node:zlib';
import { VcError } from '@verified-container/shared';
import type { ArchiveEntry, ArchiveEntryType } from './archive-entry.js';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const EMPTY: AsyncIterable<Uint8Array> = (async function* () {})();
/** Longest symlink target read from a member body. */
const MAX_LINK = 4096;

interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly offset: number;
  readonly type: ArchiveEntryType;
  readonly mode: number;
}

/**
 * Reads a zip file member by member, in central-directory order. Zip64, multi-disk and
 * encrypted archives and compression methods other than stored and deflate → BUILD_ARCHIVE_UNSAFE
 * (not supported); a damaged archive → BUILD_STEP_FAILED.
 */
export async function* readZip(path: string, name: string): AsyncGenerator<ArchiveEntry> {
  const handle = await fs.open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const entries = await readCentralDirectory(handle, size, name);
    for (const entry of entries) {
      const local = await readAt(handle, entry.offset, 30, name);
      if (local.readUInt32LE(0) !== LOCAL)
        throw damaged(name, `bad local header for ${entry.name}`);
      const start = entry.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (start + entry.compressedSize > size) throw damaged(name, `${entry.name} is truncated`);
      const body = memberBody(handle, entry, start, name);
      if (entry.type === 'symlink') {
        const target = await collect(body, MAX_LINK, name);
        yield {
          header: {
            name: entry.name,
            type: 'symlink',
            mode: entry.mode,
            size: 0,
            linkName: target,
          },
          body: EMPTY,
        };
      } else {
        yield {
          header: { name: entry.name, type: entry.type, mode: entry.mode, size: entry.size },
          body: entry.type === 'file' ? body : EMPTY,
        };
      }
    }
  } finally {
    await handle.close();
  }
}

async function readCentralDirectory(
  handle: fs.FileHandle,
  size: number,
  name: string,
): Promise<CentralEntry[]> {
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = await readAt(handle, size - tailLength, tailLength, name);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw damaged(name, 'no end of central directory record');
  if (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) throw unsupported(name, 'zip64');
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
    throw unsupported(name, 'multi-disk zip');
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw unsupported(name, 'zip64');
  }
  if (cdOffset + cdSize > size - tailLength + at) throw damaged(name, 'bad central directory');
  const cd = await readAt(handle, cdOffset, cdSize, name);
  const entries: CentralEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) {
      throw damaged(name, 'bad central directory entry');
    }
    const flags = cd.readUInt16LE(p + 8);
    const nameLength = cd.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    if (next > cd.length) throw damaged(name, 'bad central directory entry');
    const raw = cd.subarray(p + 46, p + 46 + nameLength);
    const entryName = raw.toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1');
    if ((flags & 0x41) !== 0) throw unsupported(name, `encrypted member ${entryName}`);
    const method = cd.readUInt16LE(p + 10);
    if (method !== 0 && method !== 8) {
      throw unsupported(name, `compression method ${method} of ${entryName}`);
    }
    const compressedSize = cd.readUInt32LE(p + 20);
    const uncompressed = cd.readUInt32LE(p + 24);
    const offset = cd.readUInt32LE(p + 42);
    if ([compressedSize, uncompressed, offset].includes(0xffffffff)) {
      throw unsupported(name, 'zip64');
    }
    const host = cd.readUInt16LE(p + 4) >> 8;
    const external = cd.readUInt32LE(p + 38);
    // Unix (3) and macOS (19) keep st_mode in the high half of the external attributes.
    const unixMode = host === 3 || host === 19 ? external >>> 16 : 0;
    const type = typeOf(unixMode, entryName, external);
    const mode = unixMode & 0o7777 || (type === 'directory' ? 0o755 : 0o644);
    entries.push({
      name: entryName,
      method,
      crc: cd.readUInt32LE(p + 16),
      compressedSize,
      size: uncompressed,
      offset,
      type,
      mode,
    });
    p = next;
  }
  return entries;
}

function typeOf(unixMode: number, name: string, external: number): ArchiveEntryType {
  switch (unixMode & 0o170000) {
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    case 0o020000:
      return 'character-device';
    case 0o060000:
      return 'block-device';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    default:
      // MS-DOS attribute 0x10 or a trailing slash mark directories.
      return name.endsWith('/') || (external & 0x10) !== 0 ? 'directory' : 'file';
  }
}

/** The member's bytes, inflated when deflated, checked against its size and CRC-32. */
async function* memberBody(
  handle: fs.FileHandle,
  entry: CentralEntry,
  start: number,
  name: string,
): AsyncGenerator<Uint8Array> {
  let source: AsyncIterable<unknown> = rangeOf(handle, start, entry.compressedSize);
  let raw: Readable | undefined;
  let inflate: InflateRaw | undefined;
  let crc = 0;
  let total = 0;
  if (entry.method === 8) {
    raw = Readable.from(source);
    inflate = createInflateRaw();
    raw.on('error', (err) => inflate?.destroy(err));
    source = raw.pipe(inflate);
  }
  try {
    for await (const chunk of source) {
      const bytes = chunk as Buffer;
      total += bytes.length;
      // A member inflating past its declared size is damaged (or a zip bomb): stop now.
      if (total > entry.size) throw damaged(name, `${entry.name} is larger than declared`);
      crc = crc32(bytes, crc);
      yield bytes;
    }
  } catch (err) {
    if (err instanceof VcError) throw err;
    throw damaged(name, `${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    raw?.destroy();
    inflate?.destroy();
  }
  if (total !== entry.size) throw damaged(name, `${entry.name} is shorter than declared`);
  if (crc >>> 0 !== entry.crc) throw damaged(name, `${entry.name} fails its CRC-32 check`);
}

/** `length` bytes of the file from `start`, in chunks (the handle stays open for the next member). */
async function* rangeOf(handle: fs.FileHandle, start: number, length: number) {
  const size = 64 * 1024;
  for (let done = 0; done < length;) {
    const buffer = Buffer.alloc(Math.min(size, length - done));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start + done);
    if (bytesRead === 0) throw new Error('unexpected end of file');
    done += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

async function collect(body: AsyncIterable<Uint8Array>, max: number, name: string) {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > max) throw damaged(name, 'symlink target too long');
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readAt(handle: fs.FileHandle, position: number, length: number, name: string) {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw damaged(name, 'unexpected end of file');
  return buffer;
}

function damaged(name: string, why: string): VcError {
  return new VcError('BUILD_STEP_FAILED', `cannot read ${name} as zip: ${why}`);
}

function unsupported(name: string, what: string): VcError {
  return new VcError('BUILD_ARCHIVE_UNSAFE', `${name}: ${what} is not supported`, {
    hint: 'repack the archive as a plain zip (stored or deflate) or as .tar.gz',
  });
}
