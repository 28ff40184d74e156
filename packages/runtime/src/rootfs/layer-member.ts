// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** The OCI whiteout prefix (image-spec layer.md): `.wh.<name>` deletes `<name>` below. */
export const WHITEOUT_PREFIX = '.wh.';
/** The OCI opaque marker: the directory hides everything below it. */
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** The overlayfs xattr making a directory opaque. */
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

/** What a tar member of a layer means, with its path as components below the layer root. */
export type LayerMember =
  /** The layer root itself (`./`). */
  | { readonly kind: 'root' }
  /** A file, directory, link… at `parts`. */
  | { readonly kind: 'entry'; readonly parts: readonly string[] }
  /** An OCI whiteout: becomes an overlay whiteout (char device 0/0) at `parts`. */
  | { readonly kind: 'whiteout'; readonly parts: readonly string[] }
  /** An opaque marker: the directory `parts` gets `trusted.overlay.opaque=y`. */
  | { readonly kind: 'opaque'; readonly parts: readonly string[] };

/**
 * Maps a layer tar member name to what it means (05 §4.4), pure. `./` and empty components are
 * dropped; `..`, absolute names, NUL bytes and whiteouts of `.`/`..` → MALFORMED_BUNDLE, naming
 * the layer. Nothing unpacked can then leave the layer directory by its name alone (symlinked
 * parents are the unpacker's check).
 */
export function classifyLayerMember(name: string, layer: string): LayerMember {
  if (name.startsWith('/') || name.includes('\0')) throw unsafe(name, layer);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(name, layer);
  const base = parts[parts.length - 1];
  if (base === undefined) return { kind: 'root' };
  const dir = parts.slice(0, -1);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', parts: dir };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const target = base.slice(WHITEOUT_PREFIX.length);
    if (target === '' || target === '.' || target === '..' || target.startsWith(WHITEOUT_PREFIX)) {
      throw unsafe(name, layer);
    }
    return { kind: 'whiteout', parts: [...dir, target] };
  }
  return { kind: 'entry', parts };
}

function unsafe(name: string, layer: string): VcError {
  return new VcError(
    'MALFORMED_BUNDLE',
    `layer ${layer}: member ${JSON.stringify(name)} would leave the layer directory`,
  );
}
