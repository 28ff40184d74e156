// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { parseImageReference, type ImageReference } from '@verified-container/shared/oci';

/** The shortest digest prefix accepted as an image reference (05 §2). */
export const MIN_DIGEST_PREFIX = 12;

/** What an image argument of vordr names (05 §2). */
export type VordrImageReference =
  /** `name[:tag]` or `name@sha256:<hex>` in the store. */
  | { readonly kind: 'name'; readonly text: string; readonly reference: ImageReference }
  /**
   * 12–64 lowercase hex: a digest prefix, unless a store image is called that (a valid name too;
   * the resolver tries the name first).
   */
  | {
      readonly kind: 'name-or-digest-prefix';
      readonly text: string;
      readonly reference: ImageReference;
      readonly prefix: string;
    }
  /** `sha256:<hex>` (a full digest) or `sha256:<≥12 hex>` (a prefix). */
  | { readonly kind: 'digest-prefix'; readonly text: string; readonly prefix: string }
  | { readonly kind: 'package'; readonly text: string; readonly path: string }
  | { readonly kind: 'layout'; readonly text: string; readonly dir: string; readonly ref?: string }
  /** A name whose first component is a registry host (05 §2); stored under that name when pulled. */
  | { readonly kind: 'registry'; readonly text: string };

/**
 * Classifies an image argument (05 §2), pure. A path ending in `.ctp` is a package,
 * `oci:<dir>[:ref]` a layout, `sha256:<hex>` or bare hex (≥ 12) a digest (prefix), a name whose
 * first `/`-component contains `.` or `:` or is `localhost` a registry reference, anything else a
 * local `name[:tag]` / `name@sha256:<hex>`. Invalid → INVALID_REFERENCE.
 */
export function parseVordrImageReference(text: string): VordrImageReference {
  if (text.startsWith('oci:')) {
    const rest = text.slice(4);
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (dir === '' || ref === '') throw invalid(text, 'an OCI layout is oci:<dir>[:<ref>]');
    return ref === undefined ? { kind: 'layout', text, dir } : { kind: 'layout', text, dir, ref };
  }
  if (text.endsWith('.ctp')) return { kind: 'package', text, path: text };
  if (text.startsWith('sha256:')) {
    const prefix = text.slice(7);
    if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_DIGEST_PREFIX || prefix.length > 64) {
      throw invalid(text, `a digest is sha256: and ${MIN_DIGEST_PREFIX}–64 lowercase hex`);
    }
    return { kind: 'digest-prefix', text, prefix };
  }
  const slash = text.indexOf('/');
  if (slash > 0) {
    const first = text.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      return { kind: 'registry', text };
    }
  }
  const reference = parseImageReference(text);
  if (/^[0-9a-f]+$/.test(text) && text.length >= MIN_DIGEST_PREFIX && text.length <= 64) {
    return { kind: 'name-or-digest-prefix', text, reference, prefix: text };
  }
  return { kind: 'name', text, reference };
}

function invalid(text: string, why: string): VcError {
  return new VcError(
    'INVALID_REFERENCE',
    `invalid image reference ${JSON.stringify(text)}: ${why}`,
  );
}
