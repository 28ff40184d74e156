// SPDX-License-Identifier: Apache-2.0
// Uncompressed archives of the exports (oci-archive, docker-archive), by the layer tar writer so
// they follow 01 §6.3 like every tar we write.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VcError } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import { writeStreamAtomic, type PackageMember } from '../build/package-archive.js';
import { tarLayer } from '../oci/tar-writer.js';

/**
 * Writes the members (relative, `/`-separated paths) as a plain tar to `path`, atomically: files
 * 0644 and directories 0755 owned 0:0, mtime `sourceDateEpoch`, sorted by path bytes, parents
 * before children. Members with the same bytes may share a content opener.
 */
export async function writeTarFile(
  path: string,
  members: readonly PackageMember[],
  sourceDateEpoch: number,
): Promise<void> {
  const openers = new Map<string, () => Readable>();
  const entries: FileEntry[] = members.map((m) => {
    const sha256 = 'bytes' in m ? createHash('sha256').update(m.bytes).digest('hex') : m.sha256;
    openers.set(sha256, 'bytes' in m ? () => Readable.from([m.bytes]) : m.open);
    return {
      path: `/${m.path}`,
      type: 'f',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 'bytes' in m ? m.bytes.byteLength : m.size,
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
  await writeStreamAtomic(path, (sink) =>
    pipeline(Readable.from(tarLayer({ entries }, { content, sourceDateEpoch })), sink),
  );
}
