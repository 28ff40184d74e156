// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUNDLE_MEDIA_TYPE } from '@verified-container/shared/attestation';
import { canonicalBytes } from '@verified-container/shared/json';
import { ociLayoutPlan } from './oci-export.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const d = (c: string, size = 10, mediaType = MANIFEST) => ({
  mediaType,
  digest: `sha256:${c.repeat(64)}`,
  size,
});
const image = {
  descriptor: d('a', 568),
  manifest: { config: d('c', 900, 'config'), layers: [d('1', 200, 'layer'), d('1', 200, 'layer')] },
};
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('ociLayoutPlan', () => {
  it('tags the image name:tag and copies manifest, config and each layer once', () => {
    const plan = ociLayoutPlan({ ref: 'example/hello:1.0.0', ...image });
    expect(plan.blobs.map((b) => b.digest)).toEqual([d('a').digest, d('c').digest, d('1').digest]);
    expect(plan.files.map((f) => f.path)).toEqual(['oci-layout', 'index.json']);
    expect(text(plan.files[0]?.bytes)).toBe('{"imageLayoutVersion":"1.0.0"}');
    const index = plan.files[1]?.bytes;
    expect(index).toEqual(
      canonicalBytes({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: MANIFEST,
            digest: d('a').digest,
            size: 568,
            annotations: { 'org.opencontainers.image.ref.name': 'example/hello:1.0.0' },
          },
        ],
      }),
    );
  });

  it('lists the bundle artifact in the index with its artifactType, and holds its blobs', () => {
    const bundle = Buffer.from('{"mediaType":"x"}\n');
    const plan = ociLayoutPlan({ ref: 'example/hello:1.0.0', ...image, bundle });
    const index = JSON.parse(text(plan.files.find((f) => f.path === 'index.json')?.bytes));
    expect(index.manifests).toHaveLength(2);
    const artifact = index.manifests[1];
    expect(artifact).toMatchObject({ mediaType: MANIFEST, artifactType: BUNDLE_MEDIA_TYPE });
    expect(artifact.annotations).toBeUndefined();
    const paths = plan.files.map((f) => f.path);
    const bundleHex = createHash('sha256').update(bundle).digest('hex');
    expect(paths).toContain(`blobs/sha256/${artifact.digest.slice(7)}`);
    expect(paths).toContain(`blobs/sha256/${bundleHex}`);
    expect(paths).toContain(
      'blobs/sha256/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
    const manifestBlob = plan.files.find(
      (f) => f.path === `blobs/sha256/${artifact.digest.slice(7)}`,
    );
    expect(JSON.parse(text(manifestBlob?.bytes)).subject.digest).toBe(d('a').digest);
  });
});
