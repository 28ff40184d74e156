// SPDX-License-Identifier: Apache-2.0
// `cerro-torre push` and `vordr image push` as a programmatic API (01 §8, 05 §10.1): an image of
// a store and its attestation bundle to one or more registry repositories.
import { VcError } from '@verified-container/shared';
import {
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  MANIFEST_MEDIA_TYPE,
  parseImageDocument,
  type Descriptor,
} from '@verified-container/shared/oci';
import { formatBytes, shortDigest, silentProgress, type TaskProgress } from '../progress.js';
import { attachmentTag, bundleArtifact } from './bundle-artifact.js';
import { repositoryName, type RegistryReference } from './reference.js';
import type { RegistryClient } from './registry-client.js';

/** The blobs of the store an image is pushed from. */
export interface PushSource {
  /** A whole (small) blob, its digest checked. */
  readBlob(digest: string): Promise<Uint8Array>;
  /** A blob as a stream, opened anew for each upload attempt. */
  openBlob(digest: string): AsyncIterable<Uint8Array>;
}

export interface PushImageInput {
  readonly store: PushSource;
  /** The image manifest's descriptor in the store. */
  readonly image: Descriptor;
  /** Where to push: each reference's tag is written (digests in them are ignored). */
  readonly destinations: readonly RegistryReference[];
  /** `attestations/bundle.json` of the image, pushed as its artifact; none for an unsigned image. */
  readonly bundle?: Uint8Array;
}

export interface PushImageDeps {
  readonly progress?: TaskProgress;
  /** The client of a destination's registry (e.g. `openRegistryClient` with the auth files). */
  readonly openClient: (ref: RegistryReference) => Promise<RegistryClient>;
}

export interface PushedTag {
  /** `host/repo:tag`. */
  readonly reference: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

export interface PushedBlob {
  readonly repository: string;
  readonly digest: string;
  readonly size: number;
  /** False when the registry had it already. */
  readonly uploaded: boolean;
}

export interface PushedBundle {
  readonly repository: string;
  /** Digest of the artifact manifest. */
  readonly digest: string;
  /** The registry indexed the subject (OCI-Subject header, or its referrers API answers). */
  readonly referrersApi: boolean;
  /** `sha256-<image hex>.att` when the registry has no referrers API. */
  readonly tag?: string;
}

export interface PushResult {
  /** The image manifest digest. */
  readonly digest: string;
  readonly tags: readonly PushedTag[];
  readonly blobs: readonly PushedBlob[];
  readonly bundles: readonly PushedBundle[];
}

/**
 * Pushes per repository: the image's blobs (skipped when present), its manifest under each tag,
 * then the bundle artifact by digest, tagged `sha256-<hex>.att` when the registry has no
 * referrers API. Blobs are read from the store; the manifest is checked against its digest.
 */
export async function pushImage(input: PushImageInput, deps: PushImageDeps): Promise<PushResult> {
  const progress = deps.progress ?? silentProgress;
  const open = deps.openClient;
  if (input.image.mediaType !== MANIFEST_MEDIA_TYPE) {
    throw new VcError(
      'UNSUPPORTED',
      `push: ${input.image.digest} is a ${input.image.mediaType}, not an image manifest`,
    );
  }
  const manifestBytes = await input.store.readBlob(input.image.digest);
  const doc = parseImageDocument(
    manifestBytes,
    input.image.mediaType,
    `image ${input.image.digest}`,
  );
  if (doc.kind !== 'manifest') {
    throw new VcError('UNSUPPORTED', `push: ${input.image.digest} is an index, not an image`);
  }
  const imageBlobs = unique([doc.manifest.config, ...doc.manifest.layers]);
  const bundle = input.bundle;
  const artifact = bundle !== undefined ? bundleArtifact(bundle, input.image) : undefined;

  const tags: PushedTag[] = [];
  const blobs: PushedBlob[] = [];
  const bundles: PushedBundle[] = [];
  for (const group of groupByRepository(input.destinations)) {
    const first = group[0]!;
    const repository = repositoryName(first);
    const client = await open(first);
    const upload = async (d: Descriptor, source: () => AsyncIterable<Uint8Array>) => {
      const task = `pushing ${shortDigest(d.digest)}`;
      progress.begin(task, formatBytes(d.size));
      const { uploaded } = await client.uploadBlob(first.repository, d, () =>
        counted(source(), (n) => progress.advance(task, n, d.size)),
      );
      progress.end(task, uploaded ? formatBytes(d.size) : 'already there');
      blobs.push({ repository, digest: d.digest, size: d.size, uploaded });
    };

    for (const d of imageBlobs) await upload(d, () => input.store.openBlob(d.digest));
    for (const ref of group) {
      const { digest } = await client.putManifest(
        ref.repository,
        ref.tag,
        manifestBytes,
        input.image.mediaType,
      );
      tags.push({ reference: `${repository}:${ref.tag}`, repository, tag: ref.tag, digest });
    }

    if (artifact === undefined || bundle === undefined) continue;
    await upload(EMPTY_DESCRIPTOR, () => once(EMPTY_BLOB));
    await upload(artifact.bundle, () => once(bundle));
    const put = await client.putManifest(
      first.repository,
      artifact.manifest.descriptor.digest,
      artifact.manifest.bytes,
      MANIFEST_MEDIA_TYPE,
    );
    const referrersApi =
      put.subject !== undefined ||
      (await client.referrers(first.repository, input.image.digest)).supported;
    if (referrersApi) {
      bundles.push({ repository, digest: put.digest, referrersApi });
      continue;
    }
    const tag = attachmentTag(input.image.digest);
    await client.putManifest(first.repository, tag, artifact.manifest.bytes, MANIFEST_MEDIA_TYPE);
    bundles.push({ repository, digest: put.digest, referrersApi, tag });
  }
  return { digest: input.image.digest, tags, blobs, bundles };
}

/** Destinations grouped by `host/repo`, in the order they were given; tags deduplicated. */
export function groupByRepository(refs: readonly RegistryReference[]): RegistryReference[][] {
  const groups = new Map<string, RegistryReference[]>();
  for (const ref of refs) {
    const key = repositoryName(ref);
    const group = groups.get(key) ?? [];
    if (!group.some((r) => r.tag === ref.tag)) group.push(ref);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function unique(descriptors: readonly Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descriptors.filter((d) => !seen.has(d.digest) && seen.add(d.digest) !== undefined);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield bytes;
}

async function* counted(
  source: AsyncIterable<Uint8Array>,
  onBytes: (done: number) => void,
): AsyncGenerator<Uint8Array> {
  let done = 0;
  for await (const chunk of source) {
    done += chunk.byteLength;
    onBytes(done);
    yield chunk;
  }
}
