// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { BUNDLE_MEDIA_TYPE } from '@verified-container/shared/attestation';
import { parseLayoutIndex, selectLayoutImage, type LayoutIndexEntry } from './layout-index.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const image = (c: string, ref?: string): LayoutIndexEntry => ({
  descriptor: {
    mediaType: MANIFEST,
    digest: digest(c),
    size: 100,
    ...(ref !== undefined ? { annotations: { 'org.opencontainers.image.ref.name': ref } } : {}),
  },
});
const artifact: LayoutIndexEntry = {
  descriptor: { mediaType: MANIFEST, digest: digest('f'), size: 50 },
  artifactType: BUNDLE_MEDIA_TYPE,
};

describe('selectLayoutImage', () => {
  it('selects by org.opencontainers.image.ref.name', () => {
    const entries = [image('a', 'hello:1.0.0'), image('b', 'hello:2.0.0')];
    expect(selectLayoutImage(entries, 'hello:2.0.0', 'out').digest).toBe(digest('b'));
  });

  it('without a ref takes the only image, not counting artifact manifests', () => {
    expect(selectLayoutImage([image('a', 'hello:1.0.0'), artifact], undefined, 'out').digest).toBe(
      digest('a'),
    );
  });

  it('lists the refs there are when the ref is unknown', () => {
    const entries = [image('a', 'hello:1.0.0'), image('b', 'hello:2.0.0')];
    expect(() => selectLayoutImage(entries, 'hello:3.0.0', 'out')).toThrow(
      expect.objectContaining({
        code: 'IMAGE_NOT_FOUND',
        hint: 'it holds "hello:1.0.0", "hello:2.0.0"',
      }),
    );
  });

  it('refuses to guess among several images, and an empty layout', () => {
    expect(() =>
      selectLayoutImage([image('a', 'x:1'), image('b', 'x:2')], undefined, 'out'),
    ).toThrow(expect.objectContaining({ code: 'AMBIGUOUS_REFERENCE' }));
    expect(() => selectLayoutImage([artifact], undefined, 'out')).toThrow(
      expect.objectContaining({ code: 'IMAGE_NOT_FOUND' }),
    );
  });

  it('refuses image indexes (multi-platform)', () => {
    const index: LayoutIndexEntry = {
      descriptor: {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: digest('c'),
        size: 10,
        annotations: { 'org.opencontainers.image.ref.name': 'multi:1' },
      },
    };
    expect(() => selectLayoutImage([index], 'multi:1', 'out')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });
});

describe('parseLayoutIndex', () => {
  it('keeps artifactType next to each descriptor', () => {
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { mediaType: MANIFEST, digest: digest('a'), size: 1 },
          { mediaType: MANIFEST, digest: digest('f'), size: 2, artifactType: BUNDLE_MEDIA_TYPE },
        ],
      }),
    );
    expect(parseLayoutIndex(bytes, 'out')).toEqual([
      { descriptor: { mediaType: MANIFEST, digest: digest('a'), size: 1 } },
      {
        descriptor: { mediaType: MANIFEST, digest: digest('f'), size: 2 },
        artifactType: BUNDLE_MEDIA_TYPE,
      },
    ]);
  });

  it('is MALFORMED_BUNDLE for anything but an image index', () => {
    for (const text of ['not json', '{"schemaVersion":1,"manifests":[]}', '{"schemaVersion":2}']) {
      expect(() => parseLayoutIndex(Buffer.from(text), 'out')).toThrow(
        expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
      );
    }
  });
});
