// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toJsonBlob } from '../oci/image-manifest.js';
import { CONFIG_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from '../oci/media-types.js';
import { OciLayoutStore } from './oci-layout-store.js';

let root: string;
let store: OciLayoutStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ct-layout-'));
  store = new OciLayoutStore({ root });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function storeManifest(seed: string) {
  const config = toJsonBlob({ seed }, CONFIG_MEDIA_TYPE);
  await store.putBlob(config.bytes);
  const manifest = toJsonBlob(
    { schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPE, config: config.descriptor, layers: [] },
    MANIFEST_MEDIA_TYPE,
  );
  await store.putBlob(manifest.bytes, { digest: manifest.descriptor.digest });
  return manifest.descriptor;
}

const indexJson = () => readFileSync(join(root, 'images', 'index.json'), 'utf8');

describe('OciLayoutStore', () => {
  it('writes the layout, blobs and a JCS index with one descriptor per tag', async () => {
    const m = await storeManifest('one');
    await store.tag('cerro-torre/app:1.0', m);
    await store.tag('cerro-torre/app:latest', m);
    expect(readFileSync(join(root, 'images', 'oci-layout'), 'utf8')).toBe(
      '{"imageLayoutVersion":"1.0.0"}',
    );
    const desc = (tag: string) =>
      `{"annotations":{"org.opencontainers.image.ref.name":"cerro-torre/app:${tag}"},` +
      `"digest":"${m.digest}","mediaType":"${MANIFEST_MEDIA_TYPE}","size":${m.size}}`;
    expect(indexJson()).toBe(
      `{"manifests":[${desc('1.0')},${desc('latest')}],` +
        `"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}`,
    );
    expect(readdirSync(join(root, 'images'))).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(readdirSync(join(root, 'locks'))).toEqual([]);
  });

  it('moves an existing tag', async () => {
    const a = await storeManifest('a');
    const b = await storeManifest('b');
    await store.tag('app:1', a);
    await store.tag('app:1', b);
    expect((await store.resolve('app:1')).digest).toBe(b.digest);
    expect(await store.list()).toHaveLength(1);
  });

  it('resolves name:tag, name (= latest) and name@digest', async () => {
    const m = await storeManifest('x');
    await store.tag('app:latest', m);
    await store.tag('other:2', m);
    expect((await store.resolve('app')).digest).toBe(m.digest);
    expect((await store.resolve('app:latest')).annotations).toEqual({
      'org.opencontainers.image.ref.name': 'app:latest',
    });
    expect((await store.resolve(`other@${m.digest}`)).digest).toBe(m.digest);
    expect(await store.list()).toEqual([
      expect.objectContaining({ ref: 'app:latest', name: 'app', tag: 'latest' }),
      expect.objectContaining({ ref: 'other:2', name: 'other', tag: '2' }),
    ]);
  });

  it('IMAGE_NOT_FOUND with a hint for unknown names, tags and digests', async () => {
    await expect(store.resolve('nothing:here')).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      hint: expect.stringContaining('cerro-torre build'),
    });
    const m = await storeManifest('x');
    await store.tag('app:1', m);
    await expect(store.resolve('app')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    await expect(store.resolve(`nope@${m.digest}`)).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
    await expect(store.resolve('Bad Ref')).rejects.toMatchObject({ code: 'INVALID_REFERENCE' });
  });

  it('checks blob digests on write and on read', async () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    await expect(store.putBlob(Buffer.from('x'), { digest })).rejects.toMatchObject({
      code: 'MALFORMED_BUNDLE',
    });
    expect(await store.hasBlob(digest)).toBe(false);
    const { digest: real } = await store.putBlob(Buffer.from('payload'));
    expect(Buffer.from(await store.readBlob(real)).toString()).toBe('payload');
    writeFileSync(store.blobPath(real), 'tampered');
    await expect(store.readBlob(real)).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    await expect(
      store.putBlob(Buffer.from('payload'), { digest: real, size: 99 }),
    ).rejects.toMatchObject({
      code: 'MALFORMED_BUNDLE',
    });
  });

  it('refuses to tag a manifest it does not hold, or a reference without a tag', async () => {
    const missing = { mediaType: MANIFEST_MEDIA_TYPE, digest: `sha256:${'9'.repeat(64)}`, size: 1 };
    await expect(store.tag('app:1', missing)).rejects.toMatchObject({ code: 'INTERNAL' });
    const m = await storeManifest('x');
    await expect(store.tag('app', m)).rejects.toMatchObject({ code: 'INVALID_REFERENCE' });
  });

  it('keeps every tag when tagging concurrently', async () => {
    const m = await storeManifest('x');
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.tag(`app:v${i}`, m)));
    expect((await store.list()).map((t) => t.tag).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `v${i}`).sort(),
    );
  });

  it('reports a damaged index.json as STATE_CORRUPT', async () => {
    const m = await storeManifest('x');
    writeFileSync(join(root, 'images', 'index.json'), '{"schemaVersion":2,"manifests":[],}');
    await expect(store.tag('app:1', m)).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });
});
