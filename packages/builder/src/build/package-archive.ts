// SPDX-License-Identifier: Apache-2.0
// The `.ctp` package (02 §3): a gzip tar written by the layer writer, so it follows the same
// deterministic rules (01 §6.3).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { VcError } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import { writeLayer, type PackedLayer } from '../oci/tar-writer.js';

/** A member of the package: bytes held in memory, or a stream opened on demand. */
export type PackageMember =
  | { readonly path: string; readonly bytes: Uint8Array }
  | {
      readonly path: string;
      /** Lowercase sha256 hex and size of the bytes `open` returns. */
      readonly sha256: string;
      readonly size: number;
      readonly open: () => Readable;
    };

/**
 * The members as file-table entries (files 0644 owned 0:0, mtime `sourceDateEpoch`) and the
 * content source the tar writer reads them from; members with the same bytes share an opener.
 */
export function memberTable(
  members: readonly PackageMember[],
  sourceDateEpoch: number,
): { entries: FileEntry[]; content: { open(digest: string): Readable } } {
  const openers = new Map<string, () => Readable>();
  const entries: FileEntry[] = members.map((m) => {
    const sha256 = 'bytes' in m ? createHash('sha256').update(m.bytes).digest('hex') : m.sha256;
    const size = 'bytes' in m ? m.bytes.byteLength : m.size;
    openers.set(sha256, 'bytes' in m ? () => Readable.from([m.bytes]) : m.open);
    return {
      path: `/${m.path}`,
      type: 'f',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size,
      digest: sha256,
      mtime: sourceDateEpoch,
    };
  });
  const content = {
    open: (digest: string) => {
      const open = openers.get(digest);
      if (open === undefined) throw new VcError('INTERNAL', `no member has sha256 ${digest}`);
      return open();
    },
  };
  return { entries, content };
}

/**
 * Writes the members (relative paths, `/`-separated) as a gzip tar to `path` atomically: files
 * 0644 and directories 0755, owned 0:0, mtime = `sourceDateEpoch`, sorted by path bytes. Returns
 * the identities of the archive.
 */
export async function writePackageArchive(
  path: string,
  members: readonly PackageMember[],
  sourceDateEpoch: number,
): Promise<PackedLayer> {
  const { entries, content } = memberTable(members, sourceDateEpoch);
  return writeStreamAtomic(path, (sink) =>
    writeLayer({ entries }, { content, sourceDateEpoch }, sink),
  );
}

/**
 * Streams into a temporary file next to `path`, fsyncs it and renames it over `path` (00 §4.1),
 * so readers see the old file or the whole new one.
 */
export async function writeStreamAtomic<T>(
  path: string,
  write: (sink: Writable) => Promise<T>,
): Promise<T> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const result = await write(createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
    const handle = await fs.open(tmp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
    return result;
  } catch (err) {
    await fs.rm(tmp, { force: true });
    if (err instanceof VcError) throw err;
    throw new VcError('WRITE_FAILED', `cannot write ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
