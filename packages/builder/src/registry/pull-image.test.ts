// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OciLayoutStore } from '../store/oci-layout-store.js';
import {
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
} from '@verified-container/shared/oci';
import { pullImage } from './pull-image.js';
import { RegistryClient } from '@verified-container/host/registry';
import { MemoryRegistry } from '@verified-container/testkit';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const HOST = 'reg.example.org';

/** Puts one image per architecture into `registry` under `repo`; returns their digests. */
function seed(
  registry: MemoryRegistry,
  repo: string,
  architectures: string[],
  types = { manifest: OCI_MANIFEST, index: OCI_INDEX },
): { index: string; manifests: Record<string, string>; layers: Record<string, string> } {
  const manifests: Record<string, string> = {};
  const layers: Record<string, string> = {};
  const entries = architectures.map((architecture) => {
    const layer = Buffer.from(`layer for ${architecture}`);
    const config = Buffer.from(
      JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    registry.blobs.set(sha(layer), layer);
    registry.blobs.set(sha(config), config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: types.manifest,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha(config),
          size: config.byteLength,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: sha(layer),
            size: layer.byteLength,
          },
        ],
      }),
    );
    registry.manifests.set(`${repo}@${sha(manifest)}`, {
      bytes: manifest,
      mediaType: types.manifest,
    });
    registry.tags.set(`${repo}:${architecture}`, sha(manifest));
    manifests[architecture] = sha(manifest);
    layers[architecture] = sha(layer);
    return {
      mediaType: types.manifest,
      digest: sha(manifest),
      size: manifest.byteLength,
      platform: { os: 'linux', architecture },
    };
  });
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.index,
      manifests: [
        ...entries,
        // An attestation entry, as BuildKit writes them: never chosen.
        {
          mediaType: types.manifest,
          digest: entries[0]!.digest,
          size: entries[0]!.size,
          platform: { os: 'unknown', architecture: 'unknown' },
        },
      ],
    }),
  );
  registry.manifests.set(`${repo}@${sha(index)}`, { bytes: index, mediaType: types.index });
  registry.tags.set(`${repo}:multi`, sha(index));
  return { index: sha(index), manifests, layers };
}

describe('pullImage', () => {
  let dir: string;
  let store: OciLayoutStore;
  let registry: MemoryRegistry;
  const opts = () => ({
    store,
    platform: { os: 'linux', architecture: 'amd64' },
    client: new RegistryClient({
      host: HOST,
      mismatchCode: 'BUILD_HASH_MISMATCH',
      transport: registry,
      sleep: () => Promise.resolve(),
    }),
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-pull-'));
    store = new OciLayoutStore({ root: dir });
    registry = new MemoryRegistry();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the platform from an index and stores index, manifest, config and layers', async () => {
    const seeded = seed(registry, 'base/os', ['arm64', 'amd64']);
    const pulled = await pullImage(`${HOST}/base/os:multi`, opts());
    expect(pulled.digest).toBe(seeded.manifests['amd64']);
    expect(pulled.index).toMatchObject({ mediaType: OCI_INDEX, digest: seeded.index });
    expect(pulled.config['architecture']).toBe('amd64');
    expect(pulled.reference).toEqual({ host: HOST, repository: 'base/os', tag: 'multi' });
    for (const d of [
      seeded.index,
      seeded.manifests['amd64']!,
      seeded.layers['amd64']!,
      pulled.manifest.config.digest,
    ]) {
      expect(await store.hasBlob(d)).toBe(true);
    }
    expect(await store.hasBlob(seeded.layers['arm64']!)).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('reads Docker manifest lists and keeps the Docker media types', async () => {
    const seeded = seed(registry, 'base/os', ['amd64'], {
      manifest: DOCKER_MANIFEST_MEDIA_TYPE,
      index: DOCKER_MANIFEST_LIST_MEDIA_TYPE,
    });
    const pulled = await pullImage(`${HOST}/base/os:multi@${seeded.index}`, opts());
    expect(pulled.manifestDescriptor).toEqual({
      mediaType: DOCKER_MANIFEST_MEDIA_TYPE,
      digest: seeded.manifests['amd64'],
      size: expect.any(Number),
    });
  });

  it('does not fetch blobs the store has', async () => {
    seed(registry, 'base/os', ['amd64']);
    await pullImage(`${HOST}/base/os:amd64`, opts());
    const before = registry.requests.length;
    await pullImage(`${HOST}/base/os:amd64`, opts());
    const again = registry.requests.slice(before).map((r) => new URL(r.url).pathname);
    expect(again.filter((p) => p.includes('/blobs/')).length).toBe(1); // the config only
  });

  it('a pinned digest the bytes do not have is BUILD_HASH_MISMATCH', async () => {
    const seeded = seed(registry, 'base/os', ['amd64']);
    const key = `base/os@${seeded.manifests['amd64']}`;
    const stored = registry.manifests.get(key)!;
    registry.manifests.set(key, {
      ...stored,
      bytes: Buffer.from(`${Buffer.from(stored.bytes).toString()} `),
    });
    await expect(
      pullImage(`${HOST}/base/os@${seeded.manifests['amd64']}`, opts()),
    ).rejects.toMatchObject({
      code: 'BUILD_HASH_MISMATCH',
    });
    expect(await store.hasBlob(seeded.manifests['amd64']!)).toBe(false);
  });

  it('a tampered layer is BUILD_HASH_MISMATCH and the manifest is not stored', async () => {
    const seeded = seed(registry, 'base/os', ['amd64']);
    registry.blobs.set(seeded.layers['amd64']!, Buffer.from('layer for amd65'));
    await expect(pullImage(`${HOST}/base/os:amd64`, opts())).rejects.toMatchObject({
      code: 'BUILD_HASH_MISMATCH',
    });
    expect(await store.hasBlob(seeded.layers['amd64']!)).toBe(false);
    expect(await store.hasBlob(seeded.manifests['amd64']!)).toBe(false);
  });

  it('no such tag, digest or platform is BUILD_BASE_NOT_FOUND', async () => {
    seed(registry, 'base/os', ['arm64']);
    await expect(pullImage(`${HOST}/base/os:nope`, opts())).rejects.toMatchObject({
      code: 'BUILD_BASE_NOT_FOUND',
      details: { base: `${HOST}/base/os:nope` },
    });
    await expect(
      pullImage(`${HOST}/base/os@sha256:${'0'.repeat(64)}`, opts()),
    ).rejects.toMatchObject({
      code: 'BUILD_BASE_NOT_FOUND',
    });
    await expect(pullImage(`${HOST}/base/os:multi`, opts())).rejects.toMatchObject({
      code: 'BUILD_BASE_NOT_FOUND',
      message: expect.stringContaining('has no linux/amd64 image (it has linux/arm64)'),
    });
    await expect(pullImage(`${HOST}/base/os:arm64`, opts())).rejects.toMatchObject({
      code: 'BUILD_BASE_NOT_FOUND',
      message: expect.stringContaining('is linux/arm64, not linux/amd64'),
    });
  });

  it('refuses a reference that is not a registry reference', async () => {
    await expect(pullImage('debian:bookworm', opts())).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
    });
  });
});
