// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { refName, refNameOf, type Descriptor } from '@verified-container/shared/oci';
import { parseVordrImageReference, type VordrImageReference } from './image-reference.js';
import {
  IMAGE_NOT_FOUND_HINT,
  readStoreImage,
  readStoreIndex,
  type StoreImage,
} from './store-image.js';

/**
 * Resolves an image reference (05 §2, §4.1) in the store's OCI layout and reads the image
 * (manifest, config, layers with diff ids; see {@link readStoreImage}). `.ctp` paths and OCI
 * layouts must be loaded first (`vordr image load`): here they are IMAGE_NOT_FOUND with the hint.
 * A digest prefix matching several images → AMBIGUOUS_REFERENCE.
 */
export async function resolveImage(root: string, text: string): Promise<StoreImage> {
  const reference = parseVordrImageReference(text);
  const { manifests } = await readStoreIndex(root);
  const found = findDescriptor(reference, manifests);
  if (found === undefined) {
    throw new VcError('IMAGE_NOT_FOUND', `image ${JSON.stringify(text)} is not in the store`, {
      hint: IMAGE_NOT_FOUND_HINT,
    });
  }
  return readStoreImage(root, found);
}

/** The index descriptor a reference names (pure); undefined when none. */
export function findDescriptor(
  reference: VordrImageReference,
  manifests: readonly Descriptor[],
): Descriptor | undefined {
  switch (reference.kind) {
    case 'name':
    case 'name-or-digest-prefix': {
      const r = reference.reference;
      const byName =
        r.kind === 'tag'
          ? manifests.find((d) => refNameOf(d) === refName(r.name, r.tag))
          : manifests.find((d) => d.digest === r.digest && refNameOf(d)?.startsWith(`${r.name}:`));
      if (byName !== undefined || reference.kind === 'name') return byName;
      return byDigestPrefix(reference.text, reference.prefix, manifests);
    }
    case 'digest-prefix':
      return byDigestPrefix(reference.text, reference.prefix, manifests);
    case 'registry': {
      // Pulled by digest: any store entry of that image.
      const at = reference.text.indexOf('@');
      if (at >= 0) return manifests.find((d) => d.digest === reference.text.slice(at + 1));
      const lastSlash = reference.text.lastIndexOf('/');
      const hasTag = reference.text.lastIndexOf(':') > lastSlash;
      const wanted = hasTag ? reference.text : `${reference.text}:latest`;
      return manifests.find((d) => refNameOf(d) === wanted);
    }
    case 'package':
    case 'layout':
      return undefined;
  }
}

function byDigestPrefix(
  text: string,
  prefix: string,
  manifests: readonly Descriptor[],
): Descriptor | undefined {
  const matches = manifests.filter((d) => d.digest.startsWith(`sha256:${prefix}`));
  const digests = [...new Set(matches.map((d) => d.digest))];
  if (digests.length > 1) {
    throw new VcError(
      'AMBIGUOUS_REFERENCE',
      `image reference ${JSON.stringify(text)} matches ${digests.length} images`,
      { hint: 'use more digits of the digest, or name:tag', details: { matches: digests } },
    );
  }
  // Several tags of one image: prefer a tagged descriptor so the image keeps a name.
  return matches.find((d) => refNameOf(d) !== undefined) ?? matches[0];
}
