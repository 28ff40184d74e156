// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildImageManifest, toJsonBlob } from './image-manifest.js';
import { CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from './media-types.js';

const config = { mediaType: CONFIG_MEDIA_TYPE, digest: `sha256:${'c'.repeat(64)}`, size: 321 };
const layer = { mediaType: LAYER_MEDIA_TYPE, digest: `sha256:${'1'.repeat(64)}`, size: 1234 };

describe('buildImageManifest', () => {
  it('writes the manifest with the OCI annotations', () => {
    const manifest = buildImageManifest({
      config,
      layers: [layer],
      sourceDateEpoch: 1_700_000_000,
      title: 'cerro-torre/app',
      version: '1.2.3',
      base: { name: 'cerro-torre/debian:bookworm', digest: `sha256:${'b'.repeat(64)}` },
    });
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config,
      layers: [layer],
      annotations: {
        'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
        'org.opencontainers.image.title': 'cerro-torre/app',
        'org.opencontainers.image.version': '1.2.3',
        'org.opencontainers.image.base.name': 'cerro-torre/debian:bookworm',
        'org.opencontainers.image.base.digest': `sha256:${'b'.repeat(64)}`,
      },
    });
  });

  it('has no base annotations for scratch', () => {
    const manifest = buildImageManifest({
      config,
      layers: [],
      sourceDateEpoch: 0,
      title: 'x',
      version: '1',
    });
    expect(Object.keys(manifest['annotations'] as object)).toEqual([
      'org.opencontainers.image.created',
      'org.opencontainers.image.title',
      'org.opencontainers.image.version',
    ]);
  });
});

describe('toJsonBlob', () => {
  it('stores JCS bytes and describes them', () => {
    const blob = toJsonBlob({ b: 1, a: 'é/' }, CONFIG_MEDIA_TYPE);
    expect(Buffer.from(blob.bytes).toString('utf8')).toBe('{"a":"é/","b":1}');
    expect(blob.descriptor).toEqual({
      mediaType: CONFIG_MEDIA_TYPE,
      digest: `sha256:${createHash('sha256').update(blob.bytes).digest('hex')}`,
      size: blob.bytes.length,
    });
  });
});
