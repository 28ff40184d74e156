// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { canonicalBytes, parseJson, type JsonValue } from '@verified-container/shared/json';
import { writeFileAtomic } from '../io/files.js';
import { INDEX_MEDIA_TYPE, REF_NAME_ANNOTATION, type Descriptor } from '../oci/media-types.js';

/** The `oci-layout` file (02 §2). */
export const OCI_LAYOUT_JSON = { imageLayoutVersion: '1.0.0' } as const;

/** index.json as we read and write it. */
export interface OciIndex {
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The ref name of a descriptor (`name:tag`), if it has one. */
export function refNameOf(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME_ANNOTATION];
}

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
    return toIndex(parseJson(bytes, { mode: 'strict', integersOnly: true }));
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

function toIndex(value: JsonValue): OciIndex {
  if (!isObject(value) || value['schemaVersion'] !== 2 || !Array.isArray(value['manifests'])) {
    throw new Error('schemaVersion 2 and a manifests array are required');
  }
  const annotations = value['annotations'];
  return {
    manifests: value['manifests'].map(toDescriptor),
    ...(isObject(annotations) ? { annotations: stringRecord(annotations) } : {}),
  };
}

/** A descriptor from parsed JSON; throws when the required fields are missing. */
export function toDescriptor(value: JsonValue): Descriptor {
  if (
    !isObject(value) ||
    typeof value['mediaType'] !== 'string' ||
    typeof value['digest'] !== 'string' ||
    !/^sha256:[0-9a-f]{64}$/.test(value['digest']) ||
    typeof value['size'] !== 'number'
  ) {
    throw new Error('a descriptor needs mediaType, a sha256 digest and size');
  }
  const annotations = value['annotations'];
  return {
    mediaType: value['mediaType'],
    digest: value['digest'],
    size: value['size'],
    ...(isObject(annotations) ? { annotations: stringRecord(annotations) } : {}),
  };
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: { [key: string]: JsonValue }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
