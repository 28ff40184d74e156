// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { canonicalBytes } from '@verified-container/shared/json';
import {
  OCI_LAYOUT_JSON,
  parseOciIndex,
  refNameOf,
  type OciIndex,
} from '@verified-container/shared/oci';
import { writeFileAtomic } from '../io/files.js';
import { INDEX_MEDIA_TYPE } from '../oci/media-types.js';

export type { OciIndex } from '@verified-container/shared/oci';
export { OCI_LAYOUT_JSON, refNameOf, toDescriptor } from '@verified-container/shared/oci';

/** Reads `<dir>/index.json`; an absent file is an empty index. Malformed → STATE_CORRUPT. */
export async function readIndex(dir: string): Promise<OciIndex> {
  const path = join(dir, 'index.json');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { manifests: [] };
    throw new VcError('READ_FAILED', `cannot read ${path}`, { cause });
  }
  try {
    return parseOciIndex(bytes);
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `${path} is not a valid OCI image index`, {
      cause,
      hint: 'restore it from a backup, or remove the images directory and rebuild',
    });
  }
}

/**
 * Replaces `<dir>/index.json` atomically (00 §4.1) with JCS bytes; tagged descriptors are sorted
 * by ref name so the file depends only on its content. Writes `oci-layout` when missing.
 */
export async function writeIndex(dir: string, index: OciIndex): Promise<void> {
  await ensureLayoutFile(dir);
  const untagged = index.manifests.filter((d) => refNameOf(d) === undefined);
  const tagged = index.manifests
    .filter((d) => refNameOf(d) !== undefined)
    .sort((a, b) => (refNameOf(a)! < refNameOf(b)! ? -1 : 1));
  const body = {
    schemaVersion: 2,
    mediaType: INDEX_MEDIA_TYPE,
    manifests: [...untagged, ...tagged],
    ...(index.annotations !== undefined ? { annotations: index.annotations } : {}),
  };
  await writeFileAtomic(join(dir, 'index.json'), canonicalBytes(body));
}

export async function ensureLayoutFile(dir: string): Promise<void> {
  const path = join(dir, 'oci-layout');
  try {
    await fs.access(path);
  } catch {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    await writeFileAtomic(path, canonicalBytes(OCI_LAYOUT_JSON));
  }
}
