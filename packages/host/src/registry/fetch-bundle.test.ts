// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryRegistry, oneLayerImage } from '@verified-container/testkit';
import { EMPTY_BLOB, EMPTY_DESCRIPTOR } from '@verified-container/shared/oci';
import { attachmentTag } from './bundle-artifact.js';
import { fetchBundle } from './fetch-bundle.js';
import { pushImage } from './push-image.js';
import { RegistryClient } from './registry-client.js';

const HOST = 'reg.example.org';
const MISMATCH = 'TEST_DIGEST_MISMATCH';
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-layer image in memory, as a PushSource sees a store. */
function memoryImage() {
  const built = oneLayerImage();
  const blobs = new Map([...built.blobs, [EMPTY_DESCRIPTOR.digest, EMPTY_BLOB]]);
  const store = {
    readBlob: (digest: string) => Promise.resolve(blobs.get(digest)!),
    openBlob: async function* (digest: string) {
      await Promise.resolve();
      yield blobs.get(digest)!;
    },
  };
  return { store, image: built.descriptor };
}

async function pushed(registry: MemoryRegistry, bundle?: Uint8Array) {
  const client = new RegistryClient({
    host: HOST,
    mismatchCode: MISMATCH,
    transport: registry,
    sleep: () => Promise.resolve(),
  });
  const { store, image } = memoryImage();
  const result = await pushImage(
    {
      store,
      image,
      destinations: [{ host: HOST, repository: 'x/app', tag: '1.0' }],
      ...(bundle !== undefined ? { bundle } : {}),
    },
    { openClient: () => Promise.resolve(client) },
  );
  return { client, image, result };
}

const BUNDLE = Buffer.from('{"mediaType":"application/vnd.verified-container.bundle+json"}\n');

describe('fetchBundle', () => {
  it('finds the bundle a push tagged .att on a registry without referrers API', async () => {
    const registry = new MemoryRegistry();
    const { client, image, result } = await pushed(registry, BUNDLE);
    expect(result.bundles[0]).toMatchObject({
      referrersApi: false,
      tag: attachmentTag(image.digest),
    });
    expect(await fetchBundle(client, 'x/app', image.digest)).toEqual(new Uint8Array(BUNDLE));
  });

  it('finds it as a referrer on an OCI 1.1 registry (no .att tag there)', async () => {
    const registry = new MemoryRegistry({ referrers: true });
    const { client, image, result } = await pushed(registry, BUNDLE);
    expect(result.bundles[0]).toMatchObject({ referrersApi: true });
    expect(registry.tags.has(`x/app:${attachmentTag(image.digest)}`)).toBe(false);
    expect(await fetchBundle(client, 'x/app', image.digest)).toEqual(new Uint8Array(BUNDLE));
  });

  it('is undefined for an image pushed without a bundle', async () => {
    const registry = new MemoryRegistry();
    const { client, image, result } = await pushed(registry);
    expect(result.bundles).toEqual([]);
    expect(await fetchBundle(client, 'x/app', image.digest)).toBeUndefined();
  });

  it('bundle bytes other than the artifact names are the mismatch code', async () => {
    const registry = new MemoryRegistry();
    const { client, image } = await pushed(registry, BUNDLE);
    registry.blobs.set(sha(BUNDLE), Buffer.from(BUNDLE.toString().replace('bundle', 'bundlf')));
    await expect(fetchBundle(client, 'x/app', image.digest)).rejects.toMatchObject({
      code: MISMATCH,
    });
  });
});
