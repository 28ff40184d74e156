// SPDX-License-Identifier: Apache-2.0
// Finding an image's attestation bundle in a registry, where `push` put it (01 §8): a referrer
// of the image manifest whose artifactType is the bundle media type, else the manifest tagged
// `sha256-<image hex>.att`.
import { VcError } from '@verified-container/shared';
import { BUNDLE_MAX_BYTES } from '@verified-container/shared/attestation';
import type { Descriptor } from '@verified-container/shared/oci';
import { attachmentTag, bundleLayerOf, parseArtifactManifest } from './bundle-artifact.js';
import type { RegistryClient } from './registry-client.js';

/**
 * The bundle bytes of the image `digest` in `repository`, verified against the artifact's layer
 * descriptor; undefined when the registry holds none (referrers of other artifact types are
 * skipped). A malformed artifact manifest → MALFORMED_BUNDLE; bytes that do not match their
 * descriptor → the client's mismatch code.
 */
export async function fetchBundle(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<Uint8Array | undefined> {
  const referrers = await client.referrers(repository, digest);
  const candidates: (Descriptor | string)[] = [...referrers.manifests];
  // A registry that lists referrers may still have been pushed to before it did: try the tag too.
  candidates.push(attachmentTag(digest));
  for (const candidate of candidates) {
    const reference = typeof candidate === 'string' ? candidate : candidate.digest;
    let bytes: Uint8Array;
    try {
      const fetched = await client.getManifest(
        repository,
        reference,
        typeof candidate === 'string' ? undefined : candidate,
      );
      bytes = fetched.bytes;
    } catch (err) {
      if (err instanceof VcError && err.code === 'REGISTRY_NOT_FOUND') continue;
      throw err;
    }
    const what = `the bundle artifact ${reference} of ${client.host}/${repository}`;
    // Other referrers (signatures, SBOMs of other tools) are not ours: skipped.
    const layer = bundleLayerOf(parseArtifactManifest(bytes, what), digest);
    if (layer !== undefined) return client.readBlob(repository, layer, BUNDLE_MAX_BYTES);
  }
  return undefined;
}
