// SPDX-License-Identifier: Apache-2.0
// The documents of an OCI image layout (02 §2): `oci-layout`, `index.json` and its descriptors.
import { parseJson, type JsonValue } from '../json/index.js';
import { REF_NAME_ANNOTATION, type Descriptor } from './media-types.js';

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

/**
 * Parses index.json bytes (strict JSON, integers only). Throws a plain Error naming what is
 * wrong; callers choose the code (STATE_CORRUPT for the store, MALFORMED_BUNDLE for a package).
 */
export function parseOciIndex(bytes: Uint8Array): OciIndex {
  return toOciIndex(parseJson(bytes, { mode: 'strict', integersOnly: true }));
}

/** An index from parsed JSON; throws when `schemaVersion` 2 or `manifests` is missing. */
export function toOciIndex(value: JsonValue): OciIndex {
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
