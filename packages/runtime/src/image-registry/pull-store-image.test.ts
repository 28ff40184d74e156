// SPDX-License-Identifier: Apache-2.0
// pullStoreImage against the in-memory registry fake (MemoryRegistry, testkit): a real registry
// is the integration test's (test/integration/vordr-pull-push.test.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  RegistryClient,
  attachmentTag,
  bundleArtifact,
  type RegistryReference,
} from '@verified-container/host/registry';
import { MemoryRegistry, oneLayerImage } from '@verified-container/testkit';
import { pullStoreImage } from './pull-store-image.js';
import { VORDR_MISMATCH_CODE } from './registry-flags.js';

const HOST = 'reg.example.org';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const BUNDLE = Buffer.from('{"mediaType":"application/vnd.verified-container.bundle+json"}\n');

interface Seeded {
  readonly manifests: Record<string, string>;
  readonly layers: Record<string, string>;
}

/** `x/app:multi` = an index of one image per architecture; `x/app:<arch>` each image. */
function seed(registry: MemoryRegistry, architectures: string[]): Seeded {
  const manifests: Record<string, string> = {};
  const layers: Record<string, string> = {};
  const entries = architectures.map((architecture) => {
    const image = oneLayerImage(architecture);
    for (const [digest, bytes] of image.blobs) registry.blobs.set(digest, bytes);
    const { digest } = image.descriptor;
    registry.manifests.set(`x/app@${digest}`, { bytes: image.manifest, mediaType: OCI_MANIFEST });
    registry.tags.set(`x/app:${architecture}`, digest);
    manifests[architecture] = digest;
    layers[architecture] = sha(image.layer);
    return { ...image.descriptor, platform: { os: 'linux', architecture } };
  });
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }),
  );
  registry.manifests.set(`x/app@${sha(index)}`, { bytes: index, mediaType: OCI_INDEX });
  registry.tags.set('x/app:multi', sha(index));
  return { manifests, layers };
}

/** The bundle artifact of `digest`, tagged `.att` as cerro-torre push does without referrers. */
function attachBundle(registry: MemoryRegistry, digest: string, size: number): void {
  const artifact = bundleArtifact(BUNDLE, { mediaType: OCI_MANIFEST, digest, size });
  registry.blobs.set(artifact.bundle.digest, BUNDLE);
  registry.blobs.set(EMPTY_DESCRIPTOR.digest, EMPTY_BLOB);
  const key = `x/app@${artifact.manifest.descriptor.digest}`;
  registry.manifests.set(key, { bytes: artifact.manifest.bytes, mediaType: OCI_MANIFEST });
  registry.tags.set(`x/app:${attachmentTag(digest)}`, artifact.manifest.descriptor.digest);
}

describe('pullStoreImage', () => {
  let root: string;
  let registry: MemoryRegistry;
  const openClient = (ref: RegistryReference) =>
    Promise.resolve(
      new RegistryClient({
        host: ref.host,
        mismatchCode: VORDR_MISMATCH_CODE,
        transport: registry,
        sleep: () => Promise.resolve(),
      }),
    );
  const pull = (reference: string) => pullStoreImage({ root, reference, openClient });
  const blobFiles = () => {
    const dir = join(root, 'images', 'blobs', 'sha256');
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };
  const index = () =>
    JSON.parse(readFileSync(join(root, 'images', 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vordr-pull-unit-'));
    registry = new MemoryRegistry();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes linux/amd64 from an index, stores its blobs, the bundle and the reference', async () => {
    const seeded = seed(registry, ['arm64', 'amd64']);
    const amd64 = seeded.manifests['amd64']!;
    const size = registry.manifests.get(`x/app@${amd64}`)!.bytes.length;
    attachBundle(registry, amd64, size);

    const pulled = await pull(`${HOST}/x/app:multi`);
    expect(pulled).toEqual({
      reference: `${HOST}/x/app:multi`,
      digest: amd64,
      ref: `${HOST}/x/app:multi`,
      signed: true,
    });
    const files = blobFiles();
    expect(files).toContain(amd64.slice(7));
    expect(files).toContain(seeded.layers['amd64']!.slice(7));
    expect(files).not.toContain(seeded.layers['arm64']!.slice(7));
    expect(index().manifests).toEqual([
      expect.objectContaining({
        digest: amd64,
        annotations: { 'org.opencontainers.image.ref.name': `${HOST}/x/app:multi` },
      }),
    ]);
    const bundle = join(root, 'bundles', `sha256-${amd64.slice(7)}`, 'attestations/bundle.json');
    expect(readFileSync(bundle)).toEqual(BUNDLE);
    // Nothing staged is left behind.
    expect(readdirSync(join(root, 'images')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('stores an image without a bundle as unsigned; pulling again keeps one reference', async () => {
    seed(registry, ['amd64']);
    expect(await pull(`${HOST}/x/app:amd64`)).toMatchObject({ signed: false });
    expect(existsSync(join(root, 'bundles'))).toBe(false);
    await pull(`${HOST}/x/app:amd64`);
    expect(index().manifests).toHaveLength(1);
  });

  it('a tampered layer is MALFORMED_BUNDLE and nothing is stored', async () => {
    const seeded = seed(registry, ['amd64']);
    registry.blobs.set(seeded.layers['amd64']!, Buffer.from('layer for amd65'));
    await expect(pull(`${HOST}/x/app:amd64`)).rejects.toMatchObject({ code: 'MALFORMED_BUNDLE' });
    expect(blobFiles()).toEqual([]);
    expect(existsSync(join(root, 'images'))).toBe(false);
  });

  it('a missing tag or platform is IMAGE_NOT_FOUND; a local name is INVALID_REFERENCE', async () => {
    seed(registry, ['arm64']);
    await expect(pull(`${HOST}/x/app:nope`)).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    await expect(pull(`${HOST}/x/app:multi`)).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: expect.stringContaining('has no linux/amd64 image (it has linux/arm64)'),
    });
    await expect(pull('x/app:1')).rejects.toMatchObject({ code: 'INVALID_REFERENCE' });
    expect(blobFiles()).toEqual([]);
  });
});
