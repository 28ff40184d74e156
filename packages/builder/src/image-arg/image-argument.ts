// SPDX-License-Identifier: Apache-2.0
// The image arguments of 01 §8: a store reference, a `.ctp` package, or an OCI layout directory.
import { VcError } from '@verified-container/shared';
import { parseImageReference, type ImageReference } from '../store/image-reference.js';

/** What an image argument names. */
export type ImageArgument =
  | { readonly kind: 'store'; readonly text: string; readonly reference: ImageReference }
  | { readonly kind: 'package'; readonly text: string; readonly path: string }
  | {
      readonly kind: 'layout';
      readonly text: string;
      readonly dir: string;
      /** Matched against `org.opencontainers.image.ref.name`; absent: the only image. */
      readonly ref?: string;
    };

/** What is at the argument's path on disk, as far as telling the forms apart needs. */
export type PathKind = 'file' | 'directory' | 'none';

export const LAYOUT_PREFIX = 'oci:';

/**
 * Classifies an image argument (01 §8). `oci:<dir>[:<ref>]` is a layout (the first `:` after the
 * prefix ends the directory, so the ref may be `name:tag`); an argument naming an existing file is
 * a `.ctp` package; anything else is a store reference `name[:tag]` or `name@sha256:<hex>`.
 * `pathKind` is what exists at the argument taken as a path. Pure.
 *
 * A missing `*.ctp` path → IMAGE_NOT_FOUND (it cannot be meant as a store name); a directory →
 * USAGE with the `oci:` hint; an invalid store reference → INVALID_REFERENCE.
 */
export function parseImageArgument(text: string, pathKind: PathKind): ImageArgument {
  if (text.startsWith(LAYOUT_PREFIX)) {
    const rest = text.slice(LAYOUT_PREFIX.length);
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (dir === '' || dir.includes('\0') || ref === '') {
      throw new VcError('USAGE', `invalid image argument ${JSON.stringify(text)}`, {
        hint: 'an OCI layout is oci:<dir> or oci:<dir>:<ref>',
      });
    }
    return ref === undefined ? { kind: 'layout', text, dir } : { kind: 'layout', text, dir, ref };
  }
  switch (pathKind) {
    case 'file':
      return { kind: 'package', text, path: text };
    case 'directory':
      throw new VcError('USAGE', `${text} is a directory, not an image`, {
        hint: `for an OCI image layout write oci:${text}`,
      });
    case 'none':
      if (text.endsWith('.ctp')) {
        throw new VcError('IMAGE_NOT_FOUND', `no package file ${text}`, {
          hint: 'check the path, or name an image of the store as name:tag',
        });
      }
      return { kind: 'store', text, reference: parseImageReference(text) };
  }
}
