// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toJsonBlob } from '../oci/image-manifest.js';
import { CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from '../oci/media-types.js';
import { OciLayoutStore } from './oci-layout-store.js';
import { writeOciLayout } from './oci-layout-writer.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ct-export-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('writeOciLayout', () => {
  it('copies the manifest, config and layers of each image into a standalone layout', async () => {
    const store = new OciLayoutStore({ root: join(root, 'store') });
    const layer = await store.putBlob(Buffer.from('not really gzip'));
    const config = toJsonBlob({ os: 'linux' }, CONFIG_MEDIA_TYPE);
    await store.putBlob(config.bytes);
    const manifest = toJsonBlob(
      {
        schemaVersion: 2,
        mediaType: MANIFEST_MEDIA_TYPE,
        config: config.descriptor,
        layers: [{ mediaType: LAYER_MEDIA_TYPE, ...layer }],
      },
      MANIFEST_MEDIA_TYPE,
    );
    await store.putBlob(manifest.bytes);
    await store.putBlob(Buffer.from('unrelated'));

    const out = join(root, 'out');
    await writeOciLayout(out, store, [{ ref: 'app:1.0', manifest: manifest.descriptor }]);
    expect(readFileSync(join(out, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}');
    expect(readdirSync(join(out, 'blobs', 'sha256')).sort()).toEqual(
      [layer.digest, config.descriptor.digest, manifest.descriptor.digest]
        .map((d) => d.slice(7))
        .sort(),
    );
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.manifests).toEqual([
      {
        ...manifest.descriptor,
        annotations: { 'org.opencontainers.image.ref.name': 'app:1.0' },
      },
    ]);
    expect(readdirSync(out).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });
});
