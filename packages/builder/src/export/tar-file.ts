// SPDX-License-Identifier: Apache-2.0
// Uncompressed archives of the exports (oci-archive, docker-archive), by the layer tar writer so
// they follow 01 §6.3 like every tar we write.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { memberTable, writeStreamAtomic, type PackageMember } from '../build/package-archive.js';
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
  const { entries, content } = memberTable(members, sourceDateEpoch);
  await writeStreamAtomic(path, (sink) =>
    pipeline(Readable.from(tarLayer({ entries }, { content, sourceDateEpoch })), sink),
  );
}
