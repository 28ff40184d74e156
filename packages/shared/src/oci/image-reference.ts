// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';

/** A local image reference (05 §2): `name[:tag]` or `name@sha256:<hex>`. */
export type ImageReference =
  | { readonly kind: 'tag'; readonly name: string; readonly tag: string }
  | { readonly kind: 'digest'; readonly name: string; readonly digest: string };

export const DEFAULT_TAG = 'latest';

// Same rules as the manifest's `[package] name` and `version` (01 §2).
const NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses `name`, `name:tag` or `name@sha256:<hex>`; INVALID_REFERENCE otherwise. */
export function parseImageReference(ref: string): ImageReference {
  const at = ref.indexOf('@');
  if (at >= 0) {
    const name = ref.slice(0, at);
    const digest = ref.slice(at + 1);
    assertName(name, ref);
    if (!DIGEST.test(digest)) throw invalid(ref, 'the digest must be sha256:<64 lowercase hex>');
    return { kind: 'digest', name, digest };
  }
  // Names hold no ':', so a ':' after the last '/' starts the tag.
  const colon = ref.lastIndexOf(':');
  const name = colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
  const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : DEFAULT_TAG;
  assertName(name, ref);
  if (!TAG.test(tag)) throw invalid(ref, `tag ${JSON.stringify(tag)} is not an OCI tag`);
  return { kind: 'tag', name, tag };
}

/** `name:tag`: the `org.opencontainers.image.ref.name` of a store tag (00 §4). */
export function refName(name: string, tag: string): string {
  return `${name}:${tag}`;
}

/** Parses a `name:tag` that must carry its tag (what `tag()` accepts). */
export function parseTaggedName(ref: string): { name: string; tag: string } {
  const parsed = parseImageReference(ref);
  if (parsed.kind !== 'tag' || !ref.endsWith(`:${parsed.tag}`)) {
    throw invalid(ref, 'expected name:tag');
  }
  return { name: parsed.name, tag: parsed.tag };
}

function assertName(name: string, ref: string): void {
  if (name.length === 0 || name.length > 128 || !NAME.test(name)) {
    throw invalid(
      ref,
      'names are lowercase [a-z0-9] components joined by ".", "_", "__", "-" or "/"',
    );
  }
}

function invalid(ref: string, why: string): VcError {
  return new VcError('INVALID_REFERENCE', `invalid image reference ${JSON.stringify(ref)}: ${why}`);
}
